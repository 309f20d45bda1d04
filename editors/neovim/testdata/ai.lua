-- The AI scenario of the Neovim end-to-end test (ai_test.go), run by init.lua with AI turned
-- on (E2E_SETTINGS) and pointed at the test's fake OpenAI-compatible endpoint. It plays a
-- user: open main.tf, put the cursor on the AWS-RDS-002 diagnostic, ask for code actions
-- (vim.lsp.buf.code_action, the real menu, answered by choosing "Explain and fix
-- AWS-RDS-002 with AI"), and wait: Neovim resolves the action (codeAction/resolve), applies
-- its edit and runs its command; the diagnostic must go and the explanation be shown. It
-- records what it saw into $E2E_RESULT, which the Go test judges.

local M = {}

local uv = vim.loop
local t0 = uv.hrtime()
local function now_ms()
  return math.floor((uv.hrtime() - t0) / 1e6)
end
local deadline = tonumber(os.getenv('E2E_TIMEOUT_MS') or '') or 30000

local result = { steps = {}, messages = {}, menu = {} }
local published = {}

local function step(name)
  table.insert(result.steps, name)
end

local function wait(what, cond)
  local ok = vim.wait(math.max(deadline - now_ms(), 0), cond, 20)
  if not ok then
    error(string.format('timed out after %d ms waiting for %s', now_ms(), what), 0)
  end
end

local function codes(diags)
  local out = {}
  for _, d in ipairs(diags or {}) do
    table.insert(out, tostring(d.code))
  end
  return out
end

local function find(diags, code)
  for _, d in ipairs(diags or {}) do
    if tostring(d.code) == code then
      return d
    end
  end
end

local function scenario()
  local orig = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, res, ctx, cfg)
    if res and type(res.diagnostics) == 'table' then
      published[vim.fn.fnamemodify(vim.uri_to_fname(res.uri), ':p')] = res.diagnostics
    end
    return orig(err, res, ctx, cfg)
  end
  vim.lsp.handlers['window/showMessage'] = function(_, res)
    table.insert(result.messages, res and res.message or '')
    return nil
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('E2E_FILE')))
  local bufnr = vim.api.nvim_get_current_buf()
  local fname = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p')
  local client
  wait('threatls to attach', function()
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'threatls' and c.initialized then
        client = c
        return true
      end
    end
    return false
  end)
  step('attach')
  wait('the AWS-RDS-002 diagnostic', function() return find(published[fname], 'AWS-RDS-002') ~= nil end)
  local d = find(published[fname], 'AWS-RDS-002')
  step('diagnostics')

  -- Record what codeAction/resolve answers, on the way to Neovim's own handler.
  local request = client.request
  client.request = function(method, params, handler, b)
    if method == 'codeAction/resolve' and handler then
      local h = handler
      handler = function(err, res, ...)
        result.resolve_error = err and vim.inspect(err) or nil
        result.resolved = res and {
          title = res.title,
          has_edit = res.edit ~= nil,
          command = res.command and res.command.command,
          explanation = res.command and res.command.arguments and res.command.arguments[3],
        } or nil
        return h(err, res, ...)
      end
    end
    return request(method, params, handler, b)
  end

  vim.ui.select = function(items, opts, on_choice)
    local chosen
    for i, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(result.menu, title)
      if title == 'Explain and fix AWS-RDS-002 with AI' then
        chosen = i
      end
    end
    on_choice(chosen and items[chosen] or nil, chosen)
  end
  -- The cursor inside the attribute (a byte column: the line has multi-byte characters before it).
  local line = vim.api.nvim_buf_get_lines(bufnr, d.range.start.line, d.range.start.line + 1, false)[1]
  local col = line:find('storage_encrypted', 1, true)
  vim.api.nvim_win_set_cursor(0, { d.range.start.line + 1, col + 2 })
  vim.lsp.buf.code_action()
  step('code_action')

  wait('the resolved action', function() return result.resolved ~= nil or result.resolve_error ~= nil end)
  step('resolved')
  wait('the AWS-RDS-002 diagnostic to go', function()
    return published[fname] ~= nil and find(published[fname], 'AWS-RDS-002') == nil
  end)
  step('fixed')
  wait('the explanation to be shown', function()
    for _, m in ipairs(result.messages) do
      if m:find('AI explanation', 1, true) then
        return true
      end
    end
    return false
  end)
  step('shown')
  result.final_codes = codes(published[fname])
  result.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

function M.run()
  local ok, err = pcall(scenario)
  if not ok then
    result.error = tostring(err)
  end
  result.elapsed_ms = now_ms()
  local f = io.open(os.getenv('E2E_RESULT'), 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

return M

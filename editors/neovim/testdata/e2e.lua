-- The script of the Neovim end-to-end test (e2e_test.go), run by testdata/init.lua inside a
-- headless Neovim. It plays a user: open a Terraform file, wait for threatls's diagnostics,
-- hover one, ask for its code actions, apply the quick fix, and wait for the diagnostic to
-- go. It records what it saw into the JSON file $E2E_RESULT, which the Go test judges: this
-- script asserts nothing beyond "it happened before the deadline". Whatever goes wrong, the
-- result is written and Neovim quits.
--
-- Environment: E2E_FILE (the .tf file to open), E2E_WANT (comma-separated codes to wait
-- for), E2E_FIX (the code whose quick fix to apply), E2E_SECOND (optional: a file under the
-- same root, opened last), E2E_RESULT, E2E_TIMEOUT_MS (default 30000, for the whole script).

local M = {}

local uv = vim.loop
local t0 = uv.hrtime()
local function now_ms()
  return math.floor((uv.hrtime() - t0) / 1e6)
end

local deadline = tonumber(os.getenv('E2E_TIMEOUT_MS') or '') or 30000

local result = {
  nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch,
  steps = {}, -- names of the steps completed, in order
  events = {}, -- what the server sent, in order: publishDiagnostics, log and show messages
}

local function step(name)
  table.insert(result.steps, name)
end

local function event(kind, data)
  data.t = now_ms()
  data.kind = kind
  table.insert(result.events, data)
end

local function remaining()
  return math.max(deadline - now_ms(), 0)
end

-- alive reports whether the server is still running; set once the buffer is opened.
local alive = function() return true end

-- wait blocks, processing events, until cond() is true; it raises an error naming what it
-- waited for when the deadline passes or the server exits first.
local function wait(what, cond)
  local died = false
  local ok = vim.wait(remaining(), function()
    if cond() then
      return true
    end
    died = not alive()
    return died
  end, 20)
  if died then
    error(string.format('threatls exited after %d ms while waiting for %s', now_ms(), what), 0)
  end
  if not ok then
    error(string.format('timed out after %d ms waiting for %s', now_ms(), what), 0)
  end
end

-- fname -> the diagnostics last published for it (raw LSP), and how many publishes it got.
local published, publishes = {}, {}

local function normalize(fname)
  return vim.fn.fnamemodify(fname, ':p')
end

local function hook_handlers()
  local orig = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, res, ctx, cfg)
    local ev = { uri = res and res.uri, version = res and res.version }
    if res and res.diagnostics == vim.NIL then
      ev.null_diagnostics = true
    elseif res and type(res.diagnostics) == 'table' then
      ev.codes = {}
      for _, d in ipairs(res.diagnostics) do
        table.insert(ev.codes, string.format('%s@%d', tostring(d.code), d.range.start.line))
      end
      local fname = normalize(vim.uri_to_fname(res.uri))
      published[fname] = res.diagnostics
      publishes[fname] = (publishes[fname] or 0) + 1
    end
    event('publishDiagnostics', ev)
    return orig(err, res, ctx, cfg)
  end
  for _, m in ipairs({ 'window/logMessage', 'window/showMessage' }) do
    local o = vim.lsp.handlers[m]
    vim.lsp.handlers[m] = function(err, res, ctx, cfg)
      event(m, { type = res and res.type, message = res and res.message })
      if m == 'window/showMessage' then
        return nil -- the default handler would print into the headless UI
      end
      return o(err, res, ctx, cfg)
    end
  end
end

local function simplify(diags)
  local out = {}
  for _, d in ipairs(diags or {}) do
    table.insert(out, {
      code = tostring(d.code),
      source = d.source,
      severity = d.severity,
      message = d.message,
      line = d.range.start.line,
      character = d.range.start.character,
      end_line = d.range['end'].line,
      end_character = d.range['end'].character,
    })
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

local function has_all(diags, codes)
  for _, c in ipairs(codes) do
    if not find(diags, c) then
      return false
    end
  end
  return true
end

-- request sends a request to the threatls client of bufnr and returns its result, raising
-- on a transport or server error.
local function request(bufnr, client_id, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, remaining())
  if not responses then
    error(string.format('%s: %s', method, tostring(err)), 0)
  end
  local r = responses[client_id]
  if not r then
    error(string.format('%s: no response from threatls before the deadline', method), 0)
  end
  if r.err then
    error(string.format('%s: server error: %s', method, vim.inspect(r.err)), 0)
  end
  return r.result
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

local function scenario(threatls)
  local file = os.getenv('E2E_FILE')
  local want = vim.split(os.getenv('E2E_WANT') or '', ',', { trimempty = true })
  local fix = os.getenv('E2E_FIX')
  hook_handlers()

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local fname = normalize(vim.api.nvim_buf_get_name(bufnr))
  local uri = vim.uri_from_bufnr(bufnr)
  result.filetype = vim.bo[bufnr].filetype
  result.root = threatls.root_dir(fname)
  result.uri = uri
  alive = function() return threatls.client_for(fname) ~= nil end
  step('open')

  local client
  wait('threatls to start and attach to the buffer', function()
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'threatls' and c.initialized then
        client = c
        return true
      end
    end
    return false
  end)
  result.offset_encoding = client.offset_encoding
  result.server_capabilities = {
    hover = client.server_capabilities.hoverProvider and true or false,
    code_action = client.server_capabilities.codeActionProvider and true or false,
    text_document_sync = client.server_capabilities.textDocumentSync,
  }
  result.clients = #vim.lsp.get_active_clients()
  step('attach')

  wait('diagnostics ' .. table.concat(want, ', '), function()
    return has_all(published[fname], want)
  end)
  -- Let a publish still in flight land, so that unexpected extras are seen too.
  vim.wait(200, function() return false end)
  result.diagnostics = simplify(published[fname])
  result.vim_diagnostics = #vim.diagnostic.get(bufnr)
  step('diagnostics')

  local target = find(published[fname], fix)
  local hover = request(bufnr, client.id, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = target.range.start,
  })
  if hover and hover ~= vim.NIL and hover.contents then
    local lines = vim.lsp.util.convert_input_to_markdown_lines(hover.contents)
    result.hover = table.concat(lines, '\n')
  else
    result.hover = vim.NIL
  end
  step('hover')

  local actions = request(bufnr, client.id, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = target.range,
    context = { diagnostics = { target } },
  })
  if actions == vim.NIL then
    actions = {}
  end
  result.actions = {}
  local chosen
  for _, a in ipairs(actions) do
    table.insert(result.actions, {
      title = a.title,
      kind = a.kind,
      preferred = a.isPreferred == true,
      has_edit = a.edit ~= nil,
      has_command = a.command ~= nil,
      diagnostics = a.diagnostics and #a.diagnostics or 0,
    })
    if not chosen and type(a.kind) == 'string' and vim.startswith(a.kind, 'quickfix') then
      chosen = a
    end
  end
  step('codeAction')
  if not chosen then
    error('no quickfix code action for ' .. fix, 0)
  end
  result.chosen = chosen.title

  if not chosen.edit and chosen.data ~= nil then
    chosen = request(bufnr, client.id, 'codeAction/resolve', chosen)
    result.resolved = true
  end
  if not chosen.edit then
    error('the quickfix "' .. result.chosen .. '" has no edit', 0)
  end

  -- The same through the user's commands (K, :lua vim.lsp.buf.code_action()) with the
  -- cursor on the diagnostic: the hover opens a floating window, the code actions go to
  -- vim.ui.select (stubbed: it records the titles and chooses nothing).
  local vd
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if tostring(d.code) == fix then
      vd = d
    end
  end
  vim.api.nvim_win_set_cursor(0, { vd.lnum + 1, vd.col })
  vim.lsp.buf.hover()
  local float
  wait('the hover window of vim.lsp.buf.hover()', function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        float = w
        return true
      end
    end
    return false
  end)
  result.hover_window = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), '\n')
  vim.api.nvim_win_close(float, true)
  step('K')

  local select = vim.ui.select
  local offered
  vim.ui.select = function(items, _, on_choice)
    offered = {}
    for _, item in ipairs(items) do
      table.insert(offered, item[2] and item[2].title or tostring(item.title))
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action()
  wait('vim.lsp.buf.code_action() to offer actions', function()
    return offered ~= nil
  end)
  vim.ui.select = select
  result.ui_actions = offered
  step('code_action()')

  local before = publishes[fname] or 0
  -- 0.7 takes the encoding as a second argument and warns without it.
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or 'utf-16')
  result.text = buffer_text(bufnr)
  step('apply')

  wait('diagnostic ' .. fix .. ' to disappear after the edit', function()
    local d = published[fname]
    return (publishes[fname] or 0) > before and d ~= nil and not find(d, fix)
  end)
  result.final_diagnostics = simplify(published[fname])
  result.final_vim_diagnostics = #vim.diagnostic.get(bufnr)
  step('fixed')

  -- A second file under the same root shares the running server.
  local second = os.getenv('E2E_SECOND')
  if second and second ~= '' then
    vim.cmd('edit ' .. vim.fn.fnameescape(second))
    local b2 = vim.api.nvim_get_current_buf()
    result.second_filetype = vim.bo[b2].filetype
    wait('threatls to attach to ' .. second, function()
      return vim.lsp.buf_is_attached(b2, client.id)
    end)
    result.second_client_same = vim.tbl_count(vim.lsp.buf_get_clients(b2)) == 1
      and vim.lsp.buf_get_clients(b2)[client.id] ~= nil
    result.clients_after_second = #vim.lsp.get_active_clients()
    step('second')
  end

  -- A Kubernetes manifest under the same root: the same server reads it, and the model of
  -- the whole root gives it diagnostics of its own.
  local third = os.getenv('E2E_THIRD')
  if third and third ~= '' then
    vim.cmd('edit ' .. vim.fn.fnameescape(third))
    local b3 = vim.api.nvim_get_current_buf()
    local fname3 = normalize(vim.api.nvim_buf_get_name(b3))
    result.third_filetype = vim.bo[b3].filetype
    wait('threatls to attach to ' .. third, function()
      return vim.lsp.buf_is_attached(b3, client.id)
    end)
    result.third_client_same = vim.tbl_count(vim.lsp.buf_get_clients(b3)) == 1
      and vim.lsp.buf_get_clients(b3)[client.id] ~= nil
    wait('diagnostics of ' .. third, function()
      return published[fname3] ~= nil and #published[fname3] > 0
    end)
    result.third_diagnostics = simplify(published[fname3])
    step('third')

    -- The sign column of a line with findings of several severities shows the most severe:
    -- severity_sort, on threatls's namespace.
    local ns = vim.lsp.diagnostic.get_namespace(client.id)
    result.severity_sort = (vim.diagnostic.config(nil, ns) or {}).severity_sort == true
    local worst = {} -- line -> the most severe (lowest) severity there
    for _, d in ipairs(vim.diagnostic.get(b3)) do
      worst[d.lnum + 1] = math.min(worst[d.lnum + 1] or 9, d.severity)
    end
    result.signs = {}
    for _, placed in ipairs(vim.fn.sign_getplaced(b3, { group = '*' })) do
      local top = {}
      for _, sg in ipairs(placed.signs) do
        if not top[sg.lnum] or sg.priority > top[sg.lnum].priority then
          top[sg.lnum] = sg
        end
      end
      for lnum, sg in pairs(top) do
        table.insert(result.signs, { line = lnum, shown = sg.name, worst = worst[lnum] or 0 })
      end
    end
    step('signs')

    -- :ThreatlsPaths fills the quickfix list with the hops of the attack paths.
    vim.cmd('ThreatlsPaths')
    result.paths_quickfix = {}
    for _, it in ipairs(vim.fn.getqflist()) do
      table.insert(result.paths_quickfix, { file = vim.api.nvim_buf_get_name(it.bufnr), line = it.lnum, text = it.text })
    end
    vim.cmd('cclose')
    vim.cmd('buffer ' .. b3)
    -- The code lens's command, run by Neovim's client: the paths through one element.
    local lenses = request(b3, client.id, 'textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(b3) } })
    result.lenses = {}
    for _, l in ipairs(lenses or {}) do
      table.insert(result.lenses, l.command.title)
    end
    if lenses and lenses[1] then
      vim.lsp.commands['threatls.showElement'](lenses[1].command, { bufnr = b3, client_id = client.id })
      result.lens_quickfix = #vim.fn.getqflist()
      vim.cmd('cclose')
      vim.cmd('buffer ' .. b3)
    end
    step('paths')

    -- :ThreatlsModel shows the system.
    vim.cmd('ThreatlsModel')
    result.model_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    vim.cmd('close')
    step('model')

    -- :checkhealth threatls
    vim.cmd('checkhealth threatls')
    result.health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    vim.cmd('buffer ' .. bufnr)
    step('checkhealth')

    -- :ThreatlsAcceptRisk on main.tf: the reason typed at the prompt goes into the comment.
    local target2
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == 'threatls' and tostring(d.code) ~= fix and tostring(d.code) ~= 'TLS-001' then
        target2 = d
        break
      end
    end
    if not target2 then
      error('no finding left in main.tf to accept', 0)
    end
    result.accepted = tostring(target2.code)
    vim.api.nvim_win_set_cursor(0, { target2.lnum + 1, target2.col })
    local input, sel = vim.ui.input, vim.ui.select
    vim.ui.input = function(opts, on_confirm)
      result.accept_prompt = opts.prompt
      on_confirm('bastion for the e2e test')
    end
    vim.ui.select = function(items, _, on_choice)
      for _, it in ipairs(items) do
        if tostring(it.code) == result.accepted then
          return on_choice(it)
        end
      end
      on_choice(items[1])
    end
    local n = publishes[fname] or 0
    vim.cmd('ThreatlsAcceptRisk')
    vim.ui.input, vim.ui.select = input, sel
    wait(result.accepted .. ' to go after accepting its risk', function()
      local d = published[fname]
      return (publishes[fname] or 0) > n and d ~= nil and not find(d, result.accepted)
    end)
    result.accepted_text = buffer_text(bufnr)
    step('accept')
  end
end

function M.run(threatls)
  local ok, err = xpcall(scenario, debug.traceback, threatls)
  if not ok then
    result.error = tostring(err)
  end
  result.elapsed_ms = now_ms()
  result.lsp_log = vim.lsp.get_log_path()
  local out = assert(io.open(os.getenv('E2E_RESULT'), 'w'))
  out:write(vim.fn.json_encode(result))
  out:close()
  vim.cmd('qa!')
end

return M

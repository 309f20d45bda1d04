-- The :Threatls… commands: what threatls shows besides diagnostics, through its
-- workspace/executeCommand commands and its threatls/model request. Each function works on
-- the threatls client of the current buffer and returns what it showed, for tests.

local M = {}

local TIMEOUT = 10000

-- client returns the threatls client attached to bufnr, or nil with a message.
local function client_of(bufnr)
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'threatls' then
      return c
    end
  end
  vim.notify('threatls is not attached to this buffer', vim.log.levels.WARN)
end

-- request sends a request and waits for its result; nil with a message on an error.
local function request(client, bufnr, method, params)
  local res, err = client.request_sync(method, params, TIMEOUT, bufnr)
  if not res then
    vim.notify('threatls: ' .. method .. ': ' .. tostring(err), vim.log.levels.ERROR)
    return nil
  end
  if res.err then
    vim.notify('threatls: ' .. (res.err.message or vim.inspect(res.err)), vim.log.levels.ERROR)
    return nil
  end
  return res.result
end

local function execute(client, bufnr, command, arg)
  return request(client, bufnr, 'workspace/executeCommand', { command = command, arguments = { arg } })
end

-- parse_loc reads "file:line:col" (one-based) into a file and a position.
local function parse_loc(loc)
  local file, line, col = (loc or ''):match('^(.*):(%d+):(%d+)$')
  if not file then
    return nil
  end
  return file, tonumber(line), tonumber(col)
end

local function names(model)
  local out = {}
  for _, e in ipairs(model.elements or {}) do
    out[e.id] = e.name
  end
  return out
end

-- paths fills the quickfix list with the attack paths (all, or those through the element
-- id), one entry per hop and one for the asset, and opens it.
function M.paths(bufnr, element)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return nil
  end
  local model = request(client, bufnr, 'threatls/model', { uri = vim.uri_from_bufnr(bufnr) })
  if not model then
    return nil
  end
  local name = names(model)
  local items = {}
  for n, p in ipairs(model.paths or {}) do
    local on = element == nil or element == '' or p.entry == element or p.asset == element
    for _, h in ipairs(p.hops) do
      on = on or h.from == element or h.to == element
    end
    if on then
      for i, h in ipairs(p.hops) do
        local file, line, col = parse_loc(h.source)
        if file then
          local missing = #h.missing > 0 and (' (no ' .. table.concat(h.missing, ', no ') .. ')') or ''
          table.insert(items, {
            filename = model.root .. '/' .. file, lnum = line, col = col,
            text = string.format('path %d, risk %d, hop %d: %s → %s%s', n, p.risk, i,
              name[h.from] or h.from, name[h.to] or h.to, missing),
          })
        end
      end
      local file, line, col = parse_loc(p.source)
      if file then
        table.insert(items, {
          filename = model.root .. '/' .. file, lnum = line, col = col,
          text = string.format('path %d, risk %d, asset: %s holds %s data', n, p.risk, name[p.asset] or p.asset, p.classification),
        })
      end
    end
  end
  vim.fn.setqflist({}, ' ', { title = 'threatls attack paths' .. (element and element ~= '' and (' through ' .. (name[element] or element)) or ''), items = items })
  if #items > 0 then
    vim.cmd('copen')
  else
    vim.notify('threatls: no attack path' .. (element and element ~= '' and ' through ' .. element or ''), vim.log.levels.INFO)
  end
  return items
end

-- scratch shows text in a new scratch buffer of filetype ft, in a split.
local function scratch(text, ft, name)
  vim.cmd('new')
  local b = vim.api.nvim_get_current_buf()
  vim.bo[b].buftype = 'nofile'
  vim.bo[b].bufhidden = 'wipe'
  vim.bo[b].swapfile = false
  vim.api.nvim_buf_set_lines(b, 0, -1, false, vim.split(text, '\n', { plain = true }))
  vim.bo[b].filetype = ft
  vim.bo[b].modifiable = false
  pcall(vim.api.nvim_buf_set_name, b, name)
  return b
end

-- model shows the system threatls inferred: zones and their elements, flows, attack paths.
function M.model(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return nil
  end
  local model = request(client, bufnr, 'threatls/model', { uri = vim.uri_from_bufnr(bufnr) })
  if not model then
    return nil
  end
  local name = names(model)
  local lines = { '# The system threatls infers from ' .. model.root, '' }
  local byzone = {}
  for _, e in ipairs(model.elements) do
    local z = e.zone ~= '' and e.zone or '(no zone)'
    byzone[z] = byzone[z] or {}
    table.insert(byzone[z], e)
  end
  local zones = {}
  for _, z in ipairs(model.zones) do
    zones[z.id] = z
  end
  local keys = vim.tbl_keys(byzone)
  table.sort(keys)
  for _, z in ipairs(keys) do
    local zone = zones[z]
    table.insert(lines, string.format('## zone %s%s', zone and zone.name or z, zone and zone.trust ~= '' and (' (' .. zone.trust .. ')') or ''))
    for _, e in ipairs(byzone[z]) do
      table.insert(lines, string.format('- %s %s (%s) %s', e.kind, e.name, e.type, e.sources[1] or ''))
    end
    table.insert(lines, '')
  end
  table.insert(lines, '## flows')
  for _, f in ipairs(model.flows) do
    local notes = {}
    if f.attrs.tls and f.attrs.tls.value == false then
      table.insert(notes, 'plaintext')
    end
    if f.attrs.authenticated and f.attrs.authenticated.value == false then
      table.insert(notes, 'unauthenticated')
    end
    if f.attrs.crosses_boundary and f.attrs.crosses_boundary.value == true then
      table.insert(notes, 'crosses a boundary')
    end
    table.insert(lines, string.format('- %s → %s%s %s', name[f.from] or f.from, name[f.to] or f.to,
      #notes > 0 and (' [' .. table.concat(notes, ', ') .. ']') or '', f.sources[1] or ''))
  end
  table.insert(lines, '')
  table.insert(lines, '## attack paths (:ThreatlsPaths lists their hops)')
  for _, p in ipairs(model.paths) do
    table.insert(lines, string.format('- risk %d %s (%s; missing: %s)', p.risk, p.name, p.classification, table.concat(p.missing_controls, ', ')))
  end
  return scratch(table.concat(lines, '\n'), 'markdown', 'threatls://model')
end

-- diagnostic_at returns the threatls diagnostics of the cursor's line in bufnr.
local function diagnostics_at(bufnr)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = row })) do
    if d.source == 'threatls' then
      table.insert(out, d)
    end
  end
  return out
end

-- lsp_range returns the LSP range of a diagnostic, as the server sent it.
local function lsp_range(d)
  local lsp = d.user_data and d.user_data.lsp
  if lsp and lsp.range then
    return lsp.range
  end
  return { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col } }
end

local function code_of(d)
  local lsp = d.user_data and d.user_data.lsp
  return tostring(d.code or (lsp and lsp.code))
end

-- pick asks which diagnostic of the line, when there are several, then calls f with it.
local function pick(bufnr, f)
  local ds = diagnostics_at(bufnr)
  if #ds == 0 then
    vim.notify('threatls: no finding on this line', vim.log.levels.INFO)
    return
  end
  if #ds == 1 then
    return f(ds[1])
  end
  vim.ui.select(ds, {
    prompt = 'Which finding?',
    format_item = function(d)
      return code_of(d) .. ': ' .. d.message
    end,
  }, function(d)
    if d then
      f(d)
    end
  end)
end

-- accept_risk asks for the reason, then has the server write the complete
-- threatls:ignore comment (workspace/applyEdit).
function M.accept_risk(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return
  end
  pick(bufnr, function(d)
    local code = code_of(d)
    vim.ui.input({ prompt = 'Accept the risk of ' .. code .. ' because: ' }, function(reason)
      if not reason or vim.trim(reason) == '' then
        vim.notify('threatls: a suppression without a reason suppresses nothing; nothing written', vim.log.levels.WARN)
        return
      end
      execute(client, bufnr, 'threatls.acceptRisk', {
        uri = vim.uri_from_bufnr(bufnr), threat = code, range = lsp_range(d), reason = reason,
      })
    end)
  end)
end

-- explain shows the full explanation of the finding on the cursor's line.
function M.explain(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return
  end
  local shown
  pick(bufnr, function(d)
    local r = execute(client, bufnr, 'threatls.explain', { uri = vim.uri_from_bufnr(bufnr), threat = code_of(d), range = lsp_range(d) })
    if r then
      shown = scratch(r.markdown, 'markdown', 'threatls://explain/' .. code_of(d))
    end
  end)
  return shown
end

-- report shows the report of the workspace, as `threatls scan` writes it, and its attack paths.
function M.report(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return
  end
  local r = execute(client, bufnr, 'threatls.report', { uri = vim.uri_from_bufnr(bufnr) })
  if r then
    return scratch(r.content, 'text', 'threatls://report')
  end
end

function M.scan(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    return
  end
  local r = execute(client, bufnr, 'threatls.scan', vim.empty_dict())
  if r then
    vim.notify(string.format('threatls: %d files, %d findings', r.files, r.findings), vim.log.levels.INFO)
  end
  return r
end

-- create defines the user commands, and the client command of threatls's code lenses.
function M.create()
  local cmd = vim.api.nvim_create_user_command
  cmd('ThreatlsPaths', function(a)
    M.paths(nil, a.args)
  end, { nargs = '?', desc = 'threatls: attack paths (through an element ID) in the quickfix list' })
  cmd('ThreatlsModel', function()
    M.model()
  end, { desc = 'threatls: the system model (zones, elements, flows, paths)' })
  cmd('ThreatlsAcceptRisk', function()
    M.accept_risk()
  end, { desc = 'threatls: accept the risk of the finding on this line, with a reason' })
  cmd('ThreatlsExplain', function()
    M.explain()
  end, { desc = 'threatls: explain the finding on this line' })
  cmd('ThreatlsReport', function()
    M.report()
  end, { desc = 'threatls: the report of the workspace' })
  cmd('ThreatlsScan', function()
    M.scan()
  end, { desc = 'threatls: rescan the workspace' })
  -- A code lens ("3 threats · 1 attack path · zone …") runs this: the paths through it.
  vim.lsp.commands['threatls.showElement'] = function(command, ctx)
    M.paths(ctx and ctx.bufnr, command.arguments and command.arguments[1])
  end
end

return M

-- :checkhealth threatls — is the server there, does it run, is it attached.
local M = {}

-- The health API moved: report_start… in 0.7–0.9, start… from 0.10.
local h = vim.health or require('health')
local start = h.start or h.report_start
local ok = h.ok or h.report_ok
local warn = h.warn or h.report_warn
local err = h.error or h.report_error
local info = h.info or h.report_info

function M.check()
  start('threatls')
  local v = vim.version()
  if v.major == 0 and v.minor < 7 then
    err(string.format('Neovim %d.%d: threatls needs 0.7 or later', v.major, v.minor))
  else
    ok(string.format('Neovim %d.%d.%d (%s)', v.major, v.minor, v.patch, vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client'))
  end

  local threatls = require('threatls')
  local cfg = threatls.config()
  if not cfg then
    warn("setup() has not run: add require('threatls').setup({}) to init.lua")
    cfg = threatls.defaults
  else
    ok('setup() has run')
  end
  local bin = cfg.cmd[1]
  if vim.fn.executable(bin) ~= 1 then
    err(bin .. ' is not executable', { 'build it: go build -o ~/.local/bin/threatls ./cmd/threatls', 'or set cmd in setup()' })
  else
    local out = vim.fn.system({ bin, '--version' })
    if vim.v.shell_error ~= 0 then
      err(bin .. ' --version failed: ' .. vim.trim(out))
    else
      ok(vim.fn.exepath(bin) .. ': ' .. vim.trim(out))
    end
  end

  local running = 0
  for _, c in ipairs(vim.lsp.get_active_clients()) do
    if c.name == 'threatls' then
      running = running + 1
      local folders = {}
      for _, f in ipairs(c.workspace_folders or {}) do
        table.insert(folders, vim.uri_to_fname(f.uri))
      end
      ok(string.format('client %d running for %s (%d buffers)', c.id, table.concat(folders, ', '), vim.tbl_count(c.attached_buffers or {})))
    end
  end
  if running == 0 then
    info('no threatls client is running: open a file of one of the filetypes ' .. table.concat(cfg.filetypes, ', '))
  end
end

return M

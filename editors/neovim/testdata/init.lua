-- init.lua of the Neovim end-to-end test (e2e_test.go): puts editors/neovim on 'runtimepath'
-- and calls require('threatls').setup() the way a user would, with the server binary and
-- paths given in the environment, then runs e2e.lua once Neovim has started. Run by hand:
--
--   THREATLS_RTP=editors/neovim THREATLS_CMD=threatls \
--   E2E_SCRIPT=editors/neovim/testdata/e2e.lua E2E_FILE=some/main.tf E2E_RESULT=/tmp/r.json \
--   E2E_WANT=AWS-RDS-002,AWS-SG-001 E2E_FIX=AWS-RDS-002 nvim --headless --clean -u this-file

local function env(name)
  local v = os.getenv(name)
  if v == nil or v == '' then
    io.stderr:write('init.lua: ' .. name .. ' is not set\n')
    vim.cmd('cquit 3')
  end
  return v
end

vim.lsp.set_log_level(os.getenv('E2E_LSP_LOG_LEVEL') or 'info')

local cmd = { env('THREATLS_CMD') }
local log = os.getenv('THREATLS_LOG')
if log and log ~= '' then
  vim.list_extend(cmd, { '--log-file', log, '--log-level', 'debug' })
end
table.insert(cmd, 'serve')

-- The defaults but for maxFileSize: exercises the settings path (initializationOptions).
-- E2E_SETTINGS (JSON), when set, replaces them (the AI scenario turns AI on).
local settings = { threatls = { maxFileSize = 1048576 } }
local extra = os.getenv('E2E_SETTINGS')
if extra and extra ~= '' then
  settings = vim.fn.json_decode(extra)
end
vim.opt.runtimepath:prepend(env('THREATLS_RTP'))
local threatls = require('threatls')
threatls.setup({
  cmd = cmd,
  settings = settings,
})

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    -- Scheduled so that start-up has finished before the script blocks in vim.wait.
    vim.schedule(function()
      dofile(env('E2E_SCRIPT')).run(threatls)
    end)
  end,
})

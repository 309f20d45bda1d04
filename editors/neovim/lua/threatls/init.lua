-- threatls for Neovim: starts `threatls serve` for the buffers of every format it reads
-- (Terraform, Kubernetes and compose YAML, Dockerfiles, Markdown design documents, OTM,
-- application code in Go, Python, JavaScript, TypeScript, Java and C#, and their configuration
-- files) and attaches it, with nothing but Neovim's built-in LSP client. In init.lua, with
-- editors/neovim on 'runtimepath' (or installed by a plugin manager):
--
--   require('threatls').setup({})
--
-- One server runs per root directory — the nearest directory holding one of `root_markers`,
-- else the file's own directory — and every buffer under that root shares it. On Neovim 0.8
-- and later it starts through vim.lsp.start; on 0.7, which has neither vim.lsp.start nor
-- vim.fs, through vim.lsp.start_client, finding roots and reusing clients itself. With
-- nvim-lspconfig, use require('threatls').lspconfig() instead (see README.md).
--
-- Besides diagnostics, hover and quick fixes, it adds commands: :ThreatlsPaths (the attack
-- paths, hop by hop, in the quickfix list), :ThreatlsModel, :ThreatlsAcceptRisk (asks for the
-- reason), :ThreatlsExplain, :ThreatlsReport, :ThreatlsScan; and :checkhealth threatls.

local M = {}

-- The defaults; setup(opts) overrides them key by key.
M.defaults = {
  -- The command that runs the server. Add flags here, e.g.
  -- { 'threatls', '--log-file', '/tmp/threatls.log', '--log-level', 'debug', 'serve' }.
  cmd = { 'threatls', 'serve' },
  -- Filetypes the server attaches to.
  filetypes = { 'terraform', 'hcl', 'yaml', 'dockerfile', 'markdown', 'json', 'go', 'python', 'javascript',
    'javascriptreact', 'typescript', 'typescriptreact', 'java', 'cs', 'jproperties' },
  -- Files or directories whose presence marks a root directory.
  root_markers = { '.git', '.terraform' },
  -- The server's settings, e.g. { threatls = { exclude = { ... }, minSeverity = 'medium' } };
  -- see README.md. Sent as initializationOptions, and answered when the server asks for them
  -- (workspace/configuration, which it does after starting and when told they changed).
  -- Change them while servers run with require('threatls').configure(settings).
  settings = {},
  -- initializationOptions, when they must differ from settings.
  init_options = nil,
  -- Extra client capabilities, merged into Neovim's own.
  capabilities = nil,
  -- Called as on_attach(client, bufnr) for every buffer the server attaches to.
  on_attach = nil,
  -- Detect every *.tf file as terraform. Neovim 0.7 detects a .tf file whose first lines
  -- are comments as filetype "tf" (the TF MUD client), which would keep threatls away.
  detect_tf = true,
  -- Sort the diagnostics of threatls by severity, so that the sign column of a line shows
  -- its most severe finding (Neovim shows the last one placed otherwise).
  severity_sort = true,
  -- Create the :Threatls… commands.
  commands = true,
}

local config = nil
-- root directory -> client id of the running server for that root.
local clients = {}

local uv = vim.loop

local function exists(p)
  return uv.fs_stat(p) ~= nil
end

-- root_dir returns the nearest directory, from the directory of fname upwards, that holds
-- one of the root markers; or the directory of fname when none does.
function M.root_dir(fname, markers)
  markers = markers or (config and config.root_markers) or M.defaults.root_markers
  local start = vim.fn.fnamemodify(fname, ':p:h')
  local dir = start
  while dir and dir ~= '' do
    for _, m in ipairs(markers) do
      if exists(dir .. '/' .. m) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

-- running reports whether client id is starting or running. (In 0.7,
-- vim.lsp.client_is_stopped is also true for a client that has not finished initializing.)
local function running(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not client.is_stopped()
end

-- client_config is the configuration of the client for root: what vim.lsp.start and
-- vim.lsp.start_client take (and, without root_dir, nvim-lspconfig's default_config).
function M.client_config(root)
  config = config or vim.deepcopy(M.defaults)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  if config.capabilities then
    capabilities = vim.tbl_deep_extend('force', capabilities, config.capabilities)
  end
  local cfg = {
    name = 'threatls',
    cmd = config.cmd,
    root_dir = root,
    settings = config.settings,
    -- An empty table would go out as a JSON array ({} is [] to vim.json); send nothing.
    init_options = config.init_options or (next(config.settings) and config.settings or nil),
    capabilities = capabilities,
    on_attach = function(client, bufnr)
      if config.severity_sort then
        -- Only threatls's diagnostics: the user's other servers keep their own settings.
        vim.diagnostic.config({ severity_sort = true }, vim.lsp.diagnostic.get_namespace(client.id))
      end
      if config.on_attach then
        config.on_attach(client, bufnr)
      end
    end,
    -- The languageId is the filetype, but for the "tf" of a .tf file that detect_tf did not
    -- catch. ("hcl" stays "hcl": Packer, Nomad and Terragrunt files are not Terraform.)
    get_language_id = function(bufnr, filetype)
      if filetype == 'tf' and vim.api.nvim_buf_get_name(bufnr):match('%.tf$') then
        return 'terraform'
      end
      return filetype
    end,
    on_exit = function(code, signal, client_id)
      if root and clients[root] == client_id then
        clients[root] = nil
      end
      if code ~= 0 then
        vim.schedule(function()
          vim.notify(
            string.format('threatls exited with code %d (signal %d); see --log-file', code, signal),
            vim.log.levels.WARN
          )
        end)
      end
    end,
  }
  if root then
    cfg.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
  end
  return cfg
end

-- start starts (or reuses) the server for root and attaches it to bufnr; it returns the
-- client id.
local function start(root, bufnr)
  local id = clients[root]
  if running(id) then
    vim.lsp.buf_attach_client(bufnr, id)
    return id
  end
  if vim.lsp.start then -- 0.8+: it reuses a client of the same name and root by itself
    id = vim.lsp.start(M.client_config(root), { bufnr = bufnr })
  else
    id = vim.lsp.start_client(M.client_config(root))
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    clients[root] = id
  end
  return id
end

-- attach starts (or reuses) the server for the root of bufnr and attaches it to bufnr.
-- It returns the client id, or nil when the buffer has no file or the server did not start.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_loaded(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' then
    return nil
  end
  return start(M.root_dir(fname), bufnr)
end

-- lspconfig returns the default_config of threatls for nvim-lspconfig:
--
--   local configs = require('lspconfig.configs')
--   configs.threatls = { default_config = require('threatls').lspconfig() }
--   require('lspconfig').threatls.setup({})
function M.lspconfig(opts)
  config = vim.tbl_extend('force', vim.deepcopy(M.defaults), opts or {})
  local cfg = M.client_config(nil)
  cfg.name = nil
  cfg.on_exit = nil
  cfg.filetypes = config.filetypes
  cfg.root_dir = function(fname)
    return M.root_dir(fname)
  end
  return cfg
end

-- client_for returns the client id serving the root of fname, if one is running.
function M.client_for(fname)
  local id = clients[M.root_dir(fname)]
  if running(id) then
    return id
  end
  return nil
end

-- configure replaces the settings and sends them to every running threatls server, which
-- rescans its workspace with them.
function M.configure(settings)
  config = config or vim.deepcopy(M.defaults)
  config.settings = settings or {}
  for _, id in pairs(clients) do
    local client = running(id) and vim.lsp.get_client_by_id(id)
    if client and client.initialized then
      client.config.settings = config.settings
      local sent = next(config.settings) and config.settings or vim.empty_dict()
      client.notify('workspace/didChangeConfiguration', { settings = sent })
    end
  end
end

-- config returns the configuration setup() made, or nil before setup().
function M.config()
  return config
end

function M.setup(opts)
  config = vim.tbl_extend('force', M.defaults, opts or {})
  if type(config.cmd) == 'string' then
    config.cmd = { config.cmd, 'serve' }
  end
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify('threatls: ' .. config.cmd[1] .. ' is not executable; set cmd in setup()', vim.log.levels.WARN)
  end

  if config.commands then
    require('threatls.commands').create()
  end

  local group = vim.api.nvim_create_augroup('threatls', { clear = true })
  if config.detect_tf then
    vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
      group = group,
      pattern = '*.tf',
      command = 'set filetype=terraform',
    })
    -- Buffers read before setup ran may already be "tf".
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = 'tf',
      callback = function(args)
        if vim.api.nvim_buf_get_name(args.buf):match('%.tf$') then
          vim.bo[args.buf].filetype = 'terraform'
        end
      end,
    })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })

  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      local ft = vim.bo[bufnr].filetype
      if config.detect_tf and ft == 'tf' and vim.api.nvim_buf_get_name(bufnr):match('%.tf$') then
        vim.bo[bufnr].filetype = 'terraform' -- fires FileType, which attaches
      elseif vim.tbl_contains(config.filetypes, ft) then
        M.attach(bufnr)
      end
    end
  end
end

return M

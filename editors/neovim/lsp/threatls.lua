-- threatls for Neovim 0.11's vim.lsp.config (this directory on 'runtimepath'):
--
--   vim.lsp.enable('threatls')
--
-- require('threatls').setup() does the same on every version from 0.7, with the commands.
return {
  cmd = { 'threatls', 'serve' },
  filetypes = { 'terraform', 'hcl', 'yaml', 'dockerfile', 'markdown', 'json' },
  root_markers = { '.git', '.terraform' },
}

# Opened second by the Neovim end-to-end test: it lies under the same root as ../main.tf, so
# it must share main.tf's server rather than start one of its own.

variable "environment" {
  type    = string
  default = "staging"
}

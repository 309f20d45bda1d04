resource "azurerm_monitor_log_profile" "main" {
  name       = "default"
  categories = ["Action", "Delete", "Write"]
  locations  = ["westeurope", "global"]

  retention_policy {
    enabled = true
    days    = 30
  }
}

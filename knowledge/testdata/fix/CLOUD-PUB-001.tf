resource "azurerm_storage_container" "reports" {
  name                  = "reports"
  storage_account_name  = "acmedata"
  container_access_type = "container"
}

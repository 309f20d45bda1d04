resource "azurerm_container_registry" "acr" {
  name                          = "acmeacr"
  resource_group_name           = "rg"
  location                      = "westeurope"
  sku                           = "Premium"
  admin_enabled                 = true
  public_network_access_enabled = false
}

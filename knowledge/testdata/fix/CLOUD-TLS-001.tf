resource "azurerm_linux_web_app" "api" {
  name                = "acme-api"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"

  identity {
    type = "SystemAssigned"
  }

  site_config {}
}

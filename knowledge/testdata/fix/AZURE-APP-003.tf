resource "azurerm_linux_web_app" "partner" {
  name                = "partner-api"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"
  https_only          = true

  identity {
    type = "SystemAssigned"
  }

  site_config {}
}

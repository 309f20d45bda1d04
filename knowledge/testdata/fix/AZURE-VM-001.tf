resource "azurerm_linux_virtual_machine" "jump" {
  name                            = "jump"
  resource_group_name             = "rg"
  location                        = "westeurope"
  size                            = "Standard_B1s"
  admin_username                  = "azureuser"
  disable_password_authentication = false
  network_interface_ids           = ["nic"]
}

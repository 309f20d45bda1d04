resource "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  value        = "placeholder"
  key_vault_id = "kv"
}

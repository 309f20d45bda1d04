resource "azurerm_kubernetes_cluster" "rbac" { # want-element azurerm_kubernetes_cluster.rbac component
  name                              = "rbac"
  dns_prefix                        = "rbac"
  role_based_access_control_enabled = true # want-attr azurerm_kubernetes_cluster.rbac rbac=true(read)
}

resource "azurerm_app_service" "legacy" { # want-element azurerm_app_service.legacy component
  name                = "legacy"
  resource_group_name = "rg"
  location            = "westeurope"
  app_service_plan_id = "plan"
  https_only          = true # want-attr azurerm_app_service.legacy tls_in_transit=true(read)
  client_cert_enabled = true # want-attr azurerm_app_service.legacy client_certs=true(read)
  identity { # want-attr azurerm_app_service.legacy managed_identity=true(read)
    type = "SystemAssigned"
  }
  auth_settings {
    enabled = true # want-attr azurerm_app_service.legacy authenticates=true(read)
  }
  site_config {
    min_tls_version = "1.2" # want-attr azurerm_app_service.legacy tls_min_version="1.2"(read)
  }
}

resource "azurerm_windows_function_app" "jobs" { # want-element azurerm_windows_function_app.jobs component
  name                          = "jobs"
  resource_group_name           = "rg"
  location                      = "westeurope"
  service_plan_id               = "plan"
  public_network_access_enabled = false # want-attr azurerm_windows_function_app.jobs internet_facing=false(read)
  client_certificate_enabled    = true  # want-attr azurerm_windows_function_app.jobs client_certs=true(read)
  auth_settings {
    enabled = true # want-attr azurerm_windows_function_app.jobs authenticates=true(read)
  }
  site_config {
    minimum_tls_version = "1.1" # want-attr azurerm_windows_function_app.jobs tls_min_version="1.1"(read)
  }
}

resource "azurerm_linux_virtual_machine" "boot" { # want-element azurerm_linux_virtual_machine.boot component
  name           = "boot"
  admin_username = "azureuser"
  custom_data    = base64encode("#!/bin/sh\necho hello") # want-attr azurerm_linux_virtual_machine.boot secrets_in_env=?(unknown)
}

resource "azurerm_virtual_machine" "legacy" { # want-element azurerm_virtual_machine.legacy component
  name = "legacy"
  os_profile_linux_config {
    disable_password_authentication = true # want-attr azurerm_virtual_machine.legacy password_auth=false(read)
  }
}

resource "azurerm_managed_disk" "keyed" { # want-element azurerm_managed_disk.keyed store
  name                   = "keyed"
  disk_encryption_set_id = "des" # want-attr azurerm_managed_disk.keyed kms_managed_key=true(read)
}

resource "azurerm_container_registry" "private" { # want-element azurerm_container_registry.private store
  name = "private"
  sku  = "Premium"
  network_rule_set {
    default_action = "Deny" # want-attr azurerm_container_registry.private network_restricted=true(read)
  }
}

resource "azurerm_cosmosdb_account" "keyed" { # want-element azurerm_cosmosdb_account.keyed store
  name                              = "keyed"
  offer_type                        = "Standard"
  key_vault_key_id                  = "https://kv.vault.azure.net/keys/k" # want-attr azurerm_cosmosdb_account.keyed kms_managed_key=true(read)
  is_virtual_network_filter_enabled = true                                # want-attr azurerm_cosmosdb_account.keyed network_restricted=true(read)
}

resource "azurerm_data_lake_store" "lake" { # want-element azurerm_data_lake_store.lake store
  name             = "lake"
  encryption_state = "Disabled" # want-attr azurerm_data_lake_store.lake encrypted_at_rest=false(read)
}

resource "azurerm_mysql_flexible_server" "orders" { # want-element azurerm_mysql_flexible_server.orders store
  name                = "orders"
  delegated_subnet_id = "subnet" # want-attr azurerm_mysql_flexible_server.orders network_restricted=true(read)
}

resource "azurerm_mysql_server" "legacy" { # want-element azurerm_mysql_server.legacy store
  name                             = "legacy"
  ssl_enforcement_enabled          = true
  ssl_minimal_tls_version_enforced = "TLS1_1" # want-attr azurerm_mysql_server.legacy tls_min_version="1.1"(read)
  backup_retention_days            = 14       # want-attr azurerm_mysql_server.legacy backup=true(read)
}

resource "azurerm_redis_cache" "tls" { # want-element azurerm_redis_cache.tls store
  name                = "tls"
  minimum_tls_version = "1.2" # want-attr azurerm_redis_cache.tls tls_min_version="1.2"(read)
}

resource "azurerm_storage_account" "keyed" { # want-element azurerm_storage_account.keyed store
  name                      = "keyed"
  shared_access_key_enabled = false # want-attr azurerm_storage_account.keyed authenticated=true(read)
  queue_properties {
    logging { # want-attr azurerm_storage_account.keyed logging=true(read)
      delete  = true
      read    = true
      write   = true
      version = "1.0"
    }
  }
  customer_managed_key { # want-attr azurerm_storage_account.keyed kms_managed_key=true(read)
    key_vault_key_id          = "k"
    user_assigned_identity_id = "i"
  }
}

# Azure resources: storage, databases, Key Vault, networks, AKS, App Service, VMs, registries.
resource "azurerm_storage_account" "logs" { # want "CLOUD-NET-001" "CLOUD-LOG-001"
  name                      = "acmelogs"
  resource_group_name       = "rg"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "LRS"
  enable_https_traffic_only = false # want "CLOUD-TLS-001"
  min_tls_version           = "TLS1_0" # want "CLOUD-TLS-002"
}

resource "azurerm_storage_account" "data" { # want "CLOUD-LOG-001"
  name                     = "acmedata"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  network_rules {
    default_action = "Deny"
    ip_rules       = ["203.0.113.0/24"]
  }
}

resource "azurerm_storage_container" "public" {
  name                  = "public"
  storage_account_name  = azurerm_storage_account.data.name
  container_access_type = "blob" # want "CLOUD-PUB-001"
}

resource "azurerm_storage_container" "private" {
  name                 = "private"
  storage_account_name = azurerm_storage_account.data.name
}

resource "azurerm_mssql_server" "sql" {
  name                          = "acme-sql"
  resource_group_name           = "rg"
  location                      = "westeurope"
  version                       = "12.0"
  minimum_tls_version           = "1.0" # want "CLOUD-TLS-002"
  public_network_access_enabled = false
}

resource "azurerm_mssql_server_extended_auditing_policy" "sql" {
  server_id = azurerm_mssql_server.sql.id
}

resource "azurerm_mssql_firewall_rule" "everyone" {
  name             = "everyone"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "0.0.0.0" # want "AWS-SG-003"
  end_ip_address   = "255.255.255.255"
}

resource "azurerm_mssql_firewall_rule" "azure" {
  name             = "azure-services"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "0.0.0.0"
}

resource "azurerm_postgresql_server" "pg" {
  name                         = "acme-pg"
  resource_group_name          = "rg"
  location                     = "westeurope"
  sku_name                     = "B_Gen5_1"
  version                      = "11"
  ssl_enforcement_enabled      = false # want "CLOUD-TLS-001"
  public_network_access_enabled = false
}

resource "azurerm_key_vault" "main" { # want "CLOUD-DEL-001" "CLOUD-NET-001" "CLOUD-LOG-001"
  name                = "acme-kv"
  location            = "westeurope"
  resource_group_name = "rg"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
}

resource "azurerm_key_vault" "locked" {
  name                     = "acme-kv2"
  location                 = "westeurope"
  resource_group_name      = "rg"
  tenant_id                = "00000000-0000-0000-0000-000000000000"
  sku_name                 = "standard"
  purge_protection_enabled = true
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_key_vault_secret" "db" { # want "AZURE-KV-001"
  name         = "db-password"
  value        = "placeholder"
  key_vault_id = azurerm_key_vault.locked.id
}

resource "azurerm_key_vault_secret" "api" {
  name            = "api-token"
  value           = "placeholder"
  key_vault_id    = azurerm_key_vault.locked.id
  expiration_date = "2027-01-01T00:00:00Z"
}

resource "azurerm_network_security_group" "web" {
  name                = "web"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "*" # want "AWS-SG-001"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "https"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["443", "8443"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "deny-rdp"
    priority                   = 120
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  priority                    = 200
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "3389"
  source_address_prefix       = "0.0.0.0/0" # want "AWS-SG-002"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = azurerm_network_security_group.web.name
}

resource "azurerm_network_security_rule" "office" {
  name                        = "office-ssh"
  priority                    = 210
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "10.1.0.0/16"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = azurerm_network_security_group.web.name
}

resource "azurerm_kubernetes_cluster" "main" { # want "AZURE-AKS-001" "CLOUD-K8S-001" "CLOUD-K8S-002" "CLOUD-K8S-003" "CLOUD-LOG-001"
  name                = "main"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "main"
  default_node_pool {
    name       = "default"
    node_count = 1
    vm_size    = "Standard_D2_v2"
  }
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "hardened" {
  name                    = "hardened"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "hardened"
  private_cluster_enabled = true
  local_account_disabled  = true
  default_node_pool {
    name       = "default"
    node_count = 1
    vm_size    = "Standard_D2_v2"
  }
  network_profile {
    network_plugin = "azure"
    network_policy = "calico"
  }
  key_management_service {
    key_vault_key_id = "https://acme-kv2.vault.azure.net/keys/etcd/1"
  }
  oms_agent {
    log_analytics_workspace_id = "workspace"
  }
}

resource "azurerm_linux_web_app" "api" { # want "AZURE-APP-002" "CLOUD-TLS-001" "AZURE-APP-003"
  name                = "acme-api"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"
  site_config {
    ftps_state = "AllAllowed" # want "AZURE-APP-001"
  }
}

resource "azurerm_linux_web_app" "portal" {
  name                = "acme-portal"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"
  https_only          = true
  identity {
    type = "SystemAssigned"
  }
  auth_settings_v2 {
    auth_enabled = true
  }
  site_config {}
}

resource "azurerm_linux_virtual_machine" "jump" {
  name                            = "jump"
  resource_group_name             = "rg"
  location                        = "westeurope"
  size                            = "Standard_B1s"
  admin_username                  = "azureuser"
  admin_password                  = "placeholder"
  disable_password_authentication = false # want "AZURE-VM-001"
  network_interface_ids           = ["nic"]
}

resource "azurerm_linux_virtual_machine" "app" {
  name                  = "app"
  resource_group_name   = "rg"
  location              = "westeurope"
  size                  = "Standard_B1s"
  admin_username        = "azureuser"
  network_interface_ids = ["nic"]
}

resource "azurerm_managed_disk" "data" {
  name                 = "data"
  location             = "westeurope"
  resource_group_name  = "rg"
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 10
  encryption_settings {
    enabled = false # want "CLOUD-ENC-001"
  }
}

resource "azurerm_container_registry" "acr" { # want "CLOUD-NET-001"
  name                = "acmeacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = true # want "AZURE-ACR-001"
}

resource "azurerm_redis_cache" "cache" {
  name                 = "acme-cache"
  location             = "westeurope"
  resource_group_name  = "rg"
  capacity             = 1
  family               = "C"
  sku_name             = "Standard"
  enable_non_ssl_port  = true # want "CLOUD-TLS-001"
  public_network_access_enabled = false
}

resource "azurerm_cosmosdb_account" "docs" { # want "CLOUD-NET-001"
  name                = "acme-docs"
  location            = "westeurope"
  resource_group_name = "rg"
  offer_type          = "Standard"
}

resource "azurerm_security_center_subscription_pricing" "vms" {
  tier          = "Free" # want "AZURE-SEC-001"
  resource_type = "VirtualMachines"
}

resource "azurerm_security_center_subscription_pricing" "sql" {
  tier          = "Standard"
  resource_type = "SqlServers"
}

resource "azurerm_security_center_contact" "main" {
  email               = "security@example.com"
  alert_notifications = false # want "AZURE-SEC-002"
  alerts_to_admins    = false
}

resource "azurerm_monitor_log_profile" "main" {
  name       = "default"
  categories = ["Action", "Delete", "Write"]
  locations  = ["westeurope", "global"]
  retention_policy {
    enabled = true
    days    = 30 # want "AZURE-MON-001"
  }
}

resource "azurerm_container_registry" "private" {
  name                          = "acmeprivate"
  resource_group_name           = "rg"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}

resource "azurerm_kubernetes_cluster" "norbac" {
  name                              = "norbac"
  location                          = "westeurope"
  resource_group_name               = "rg"
  dns_prefix                        = "norbac"
  private_cluster_enabled           = true
  local_account_disabled            = true
  role_based_access_control_enabled = false # want "AZURE-AKS-002"
  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }
  key_management_service {
    key_vault_key_id = "k"
  }
  oms_agent {
    log_analytics_workspace_id = "w"
  }
}

resource "azurerm_monitor_log_profile" "archive" {
  name       = "archive"
  categories = ["Action"]
  locations  = ["global"]
  retention_policy {
    enabled = true
    days    = 365
  }
}

resource "azurerm_security_center_contact" "ops" {
  email               = "ops@example.com"
  alert_notifications = true
  alerts_to_admins    = true
}

resource "azurerm_monitor_diagnostic_setting" "kv" {
  name                       = "kv-audit"
  target_resource_id         = azurerm_key_vault.locked.id
  log_analytics_workspace_id = "workspace"
  enabled_log {
    category = "AuditEvent"
  }
}

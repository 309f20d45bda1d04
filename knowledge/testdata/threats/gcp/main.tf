# Google Cloud resources: storage, Cloud SQL, GKE, firewalls, IAM, KMS, Compute, BigQuery, DNS.
resource "google_storage_bucket" "data" { # want "GCP-GCS-001" "CLOUD-LOG-002" "CLOUD-VER-001"
  name     = "acme-data"
  location = "EU"
}

resource "google_storage_bucket" "assets" { # want "CLOUD-LOG-002" "CLOUD-VER-001"
  name                        = "acme-assets"
  location                    = "EU"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.assets.name
  role   = "roles/storage.objectViewer"
  member = "allUsers" # want "CLOUD-PUB-001"
}

resource "google_storage_bucket_iam_member" "team" {
  bucket = google_storage_bucket.assets.name
  role   = "roles/storage.objectViewer"
  member = "group:team@example.com"
}

resource "google_sql_database_instance" "orders" { # want "CLOUD-BAK-001" "CLOUD-TLS-001" "GCP-SQL-001" "GCP-SQL-002"
  name             = "orders"
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier = "db-f1-micro"
    ip_configuration {
      authorized_networks { # want "CLOUD-PUB-001"
        name  = "everyone"
        value = "0.0.0.0/0"
      }
    }
  }
}

resource "google_sql_database_instance" "catalog" {
  name                = "catalog"
  database_version    = "MYSQL_8_0"
  region              = "europe-west1"
  deletion_protection = true
  settings {
    tier = "db-f1-micro"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/acme/global/networks/main"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled = true
    }
    database_flags {
      name  = "local_infile"
      value = "on" # want "GCP-SQL-003"
    }
  }
}

resource "google_container_cluster" "main" { # want "CLOUD-K8S-001" "CLOUD-K8S-002" "CLOUD-K8S-003" "GCP-GKE-003" "GCP-GKE-004"
  name               = "main"
  location           = "europe-west1"
  enable_legacy_abac = true # want "GCP-GKE-001"
  master_auth {
    client_certificate_config {
      issue_client_certificate = true # want "GCP-GKE-002"
    }
  }
}

resource "google_container_cluster" "hardened" {
  name              = "hardened"
  location          = "europe-west1"
  datapath_provider = "ADVANCED_DATAPATH"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
  workload_identity_config {
    workload_pool = "acme.svc.id.goog"
  }
  database_encryption {
    state    = "ENCRYPTED"
    key_name = "projects/acme/locations/europe-west1/keyRings/gke/cryptoKeys/etcd"
  }
}

resource "google_container_node_pool" "legacy" {
  name    = "legacy"
  cluster = google_container_cluster.main.id
  management {
    auto_upgrade = false # want "GCP-GKE-006"
  }
}

resource "google_container_node_pool" "default" {
  name    = "default"
  cluster = google_container_cluster.hardened.id
}

resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh"
  network = "main"
  allow { # want "AWS-SG-001"
    protocol = "tcp"
    ports    = ["22", "443"]
  }
}

resource "google_compute_firewall" "internal" {
  name          = "allow-internal"
  network       = "main"
  source_ranges = ["10.0.0.0/8"]
  allow {
    protocol = "all"
  }
}

resource "google_compute_firewall" "egress" {
  name      = "egress"
  network   = "main"
  direction = "EGRESS"
  allow {
    protocol = "tcp"
    ports    = ["3389"]
  }
}

resource "google_project_iam_member" "ci" {
  project = "acme"
  role    = "roles/editor" # want "GCP-IAM-001"
  member  = "serviceAccount:ci@acme.iam.gserviceaccount.com"
}

resource "google_project_iam_member" "deployers" {
  project = "acme"
  role    = "roles/iam.serviceAccountUser" # want "GCP-IAM-003"
  member  = "group:deployers@example.com"
}

resource "google_project_iam_member" "viewer" {
  project = "acme"
  role    = "roles/run.viewer"
  member  = "group:team@example.com"
}

resource "google_service_account_key" "ci" { # want "GCP-IAM-002"
  service_account_id = "projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com"
}

resource "google_kms_crypto_key" "static" { # want "AWS-KMS-001"
  name     = "static"
  key_ring = "projects/acme/locations/europe/keyRings/main"
}

resource "google_kms_crypto_key" "rotated" {
  name            = "rotated"
  key_ring        = "projects/acme/locations/europe/keyRings/main"
  rotation_period = "7776000s"
}

resource "google_compute_instance" "web" { # want "GCP-VM-004" "GCP-VM-006"
  name           = "web"
  machine_type   = "e2-small"
  zone           = "europe-west1-b"
  can_ip_forward = true # want "GCP-VM-003"
  metadata = { # want "GCP-VM-001" "GCP-VM-002"
    serial-port-enable = "true"
    enable-oslogin     = "FALSE"
  }
  boot_disk {
    disk_encryption_key_raw = "acXTX3rxrKAFTF0tYVLvydU1riRZTvUNC4g5I11NY+c=" # want "GCP-VM-005"
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    access_config {}
  }
  service_account {
    scopes = ["cloud-platform"] # want "GCP-IAM-004"
  }
}

resource "google_compute_instance" "worker" {
  name         = "worker"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
  }
  shielded_instance_config {
    enable_secure_boot = true
  }
  service_account {
    email  = "worker@acme.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}

resource "google_bigquery_dataset" "analytics" {
  dataset_id = "analytics"
  access { # want "CLOUD-PUB-001"
    role          = "READER"
    special_group = "allAuthenticatedUsers"
  }
}

resource "google_bigquery_dataset" "finance" {
  dataset_id = "finance"
  access {
    role           = "OWNER"
    group_by_email = "finance@example.com"
  }
}

resource "google_dns_managed_zone" "public" { # want "GCP-DNS-001"
  name     = "public"
  dns_name = "example.com."
}

resource "google_dns_managed_zone" "signed" {
  name     = "signed"
  dns_name = "example.org."
  dnssec_config {
    state = "on"
    default_key_specs { # want "GCP-DNS-002"
      algorithm  = "rsasha1"
      key_length = 2048
      key_type   = "keySigning"
    }
  }
}

resource "google_dns_managed_zone" "internal" {
  name       = "internal"
  dns_name   = "internal.example.com."
  visibility = "private"
}

resource "google_compute_subnetwork" "app" { # want "CLOUD-NET-002"
  name          = "app"
  ip_cidr_range = "10.2.0.0/16"
  network       = "main"
}

resource "google_compute_subnetwork" "logged" {
  name          = "logged"
  ip_cidr_range = "10.3.0.0/16"
  network       = "main"
  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
  }
}

resource "google_project_iam_audit_config" "all" {
  project = "acme"
  service = "allServices"
  audit_log_config { # want "GCP-AUD-001"
    log_type         = "DATA_READ"
    exempted_members = ["user:ops@example.com"]
  }
}

resource "google_service_account_key" "uploaded" {
  service_account_id = "projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com"
  public_key_data    = "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0="
}

resource "google_project_iam_audit_config" "complete" {
  project = "acme"
  service = "storage.googleapis.com"
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_container_cluster" "unshielded" {
  name                  = "unshielded"
  location              = "europe-west1"
  enable_shielded_nodes = false # want "GCP-GKE-005"
  datapath_provider     = "ADVANCED_DATAPATH"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
  }
  workload_identity_config {
    workload_pool = "acme.svc.id.goog"
  }
  database_encryption {
    state    = "ENCRYPTED"
    key_name = "k"
  }
}

resource "google_storage_bucket" "archive" {
  name                        = "acme-archive"
  location                    = "EU"
  uniform_bucket_level_access = true
  versioning {
    enabled = true
  }
  logging {
    log_bucket = "acme-logs"
  }
}

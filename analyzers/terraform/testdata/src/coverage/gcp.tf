resource "google_bigquery_dataset_iam_member" "public" { # want-element google_bigquery_dataset_iam_member.public control
  dataset_id = "analytics"
  role       = "roles/bigquery.dataViewer"
  member     = "allAuthenticatedUsers" # want-attr google_bigquery_dataset_iam_member.public public=true(read)
}

resource "google_bigquery_dataset" "keyed" { # want-element google_bigquery_dataset.keyed store
  dataset_id = "keyed"
  default_encryption_configuration {
    kms_key_name = "k" # want-attr google_bigquery_dataset.keyed kms_managed_key=true(read)
  }
}

resource "google_compute_disk" "data" { # want-element google_compute_disk.data store
  name = "data"
  disk_encryption_key {
    raw_key = "acXTX3rxrKAFTF0tYVLvydU1riRZTvUNC4g5I11NY+c=" # want-attr google_compute_disk.data raw_disk_key=true(read)
  }
}

resource "google_compute_disk" "keyed" { # want-element google_compute_disk.keyed store
  name = "keyed"
  disk_encryption_key {
    kms_key_self_link = "k" # want-attr google_compute_disk.keyed kms_managed_key=true(read)
  }
}

resource "google_compute_instance" "startup" { # want-element google_compute_instance.startup component
  name                    = "startup"
  machine_type            = "e2-small"
  metadata_startup_script = "export API_TOKEN=abcdef123456" # want-attr google_compute_instance.startup secrets_in_env=true(read)
  metadata = {
    block-project-ssh-keys = "true" # want-attr:-1 google_compute_instance.startup project_ssh_keys=false(read)
  }
}

resource "google_container_cluster" "plain" { # want-element google_container_cluster.plain component
  name                  = "plain"
  logging_service       = "none" # want-attr google_container_cluster.plain logging=false(read)
  enable_shielded_nodes = false  # want-attr google_container_cluster.plain shielded_nodes=false(read)
}

resource "google_container_node_pool" "legacy" { # want-element google_container_node_pool.legacy control
  name    = "legacy"
  cluster = "c"
  node_config {
    metadata = {
      disable-legacy-endpoints = "false" # want-attr:-1 google_container_node_pool.legacy legacy_metadata=true(read)
    }
  }
}

resource "google_kms_crypto_key" "signing" { # want-element google_kms_crypto_key.signing store
  name     = "signing"
  key_ring = "r"
  purpose  = "ASYMMETRIC_SIGN" # want-attr google_kms_crypto_key.signing symmetric=false(read)
}

resource "google_sql_database_instance" "keyed" { # want-element google_sql_database_instance.keyed store
  name                = "keyed"
  database_version    = "SQLSERVER_2019_STANDARD"
  encryption_key_name = "k" # want-attr google_sql_database_instance.keyed kms_managed_key=true(read)
}

resource "google_storage_bucket" "full" { # want-element google_storage_bucket.full store
  name                     = "full"
  location                 = "EU"
  public_access_prevention = "enforced" # want-attr google_storage_bucket.full public=false(read)
  versioning {
    enabled = true # want-attr google_storage_bucket.full versioned=true(read)
  }
  logging { # want-attr google_storage_bucket.full logs_access=true(read)
    log_bucket = "logs"
  }
  encryption {
    default_kms_key_name = "k" # want-attr google_storage_bucket.full kms_managed_key=true(read)
  }
}

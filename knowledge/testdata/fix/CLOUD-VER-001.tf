resource "google_storage_bucket" "reports" {
  name                        = "acme-reports"
  location                    = "EU"
  uniform_bucket_level_access = true

  logging {
    log_bucket = "acme-logs"
  }
}

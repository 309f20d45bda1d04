resource "google_container_node_pool" "default" {
  name    = "default"
  cluster = "projects/acme/locations/europe-west1/clusters/main"

  management {
    auto_repair  = true
    auto_upgrade = false
  }
}

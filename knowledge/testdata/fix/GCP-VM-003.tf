resource "google_compute_instance" "web" {
  name           = "web"
  machine_type   = "e2-small"
  zone           = "europe-west1-b"
  can_ip_forward = true

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = "default"
  }
}

output "office" {
  value = "192.0.2.0/24"
}

resource "aws_kms_key" "data" {
  description             = "Customer data"
  deletion_window_in_days = 30
}

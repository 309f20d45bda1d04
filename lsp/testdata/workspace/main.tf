# A small workspace for the language server tests, which find every position by regexp on
# this text. The café's orders database is not encrypted.

resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  /* é 😀 */ storage_encrypted = false
  username          = "app"
  password          = var.db_password
}

variable "db_password" {
  type      = string
  sensitive = true
}

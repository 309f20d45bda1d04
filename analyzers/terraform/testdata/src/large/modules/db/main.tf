variable "encrypted" {
  default = false
}

variable "name" {}

resource "aws_db_instance" "main" { # want-element aws_db_instance.main store
  identifier        = var.name
  engine            = "postgres"
  storage_encrypted = var.encrypted # want-attr aws_db_instance.main encrypted_at_rest=true(read)
}

output "name" {
  value = aws_db_instance.main.identifier
}

output "encrypted" {
  value = !var.encrypted
}

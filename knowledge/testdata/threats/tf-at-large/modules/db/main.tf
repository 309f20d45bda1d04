variable "encrypted" {
  default = true
}

resource "aws_db_instance" "main" {
  engine              = "postgres"
  storage_encrypted   = var.encrypted # want "AWS-RDS-002"
  deletion_protection = true
}

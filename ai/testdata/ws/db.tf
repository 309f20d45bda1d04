resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  storage_encrypted   = false
  publicly_accessible = false
  deletion_protection = true
  backup_retention_period = 7
  username            = "app"
  password            = var.db_password
}

variable "db_password" {
  type = string
}

resource "aws_db_instance" "accounts_db" {
  identifier        = "accounts-db"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
}

resource "aws_db_subnet_group" "shop" {
  name       = "shop"
  subnet_ids = [for s in aws_subnet.private : s.id]
}

resource "aws_db_instance" "shop" {
  identifier                  = "shop"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  db_name                     = "shop"
  username                    = "shop"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.shop.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  storage_encrypted           = true
  publicly_accessible         = false
  backup_retention_period     = 7
}

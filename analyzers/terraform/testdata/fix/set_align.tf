# fix: aws_db_instance.main {"op":"set","path":"storage_encrypted","value":"true"}
resource "aws_db_instance" "main" {
  engine = "postgres"
  instance_class = "db.t3.micro" # a comment that stays

  tags = { Name = "main" }
}

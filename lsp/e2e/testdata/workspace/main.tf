# The document the scripted client opens. Each expectation is a want comment naming a threat
# ID on the line of its diagnostic; client.mjs reads them and computes every range itself, in
# UTF-16.
# The comment before storage_encrypted holds é (2 UTF-8 bytes, 1 UTF-16 unit) and 😀 (4 bytes,
# 2 units, a surrogate pair): a server counting bytes or code points gets the range wrong.

resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  publicly_accessible     = false
  backup_retention_period = 7
  deletion_protection     = false # want "AWS-RDS-004"

  /* café 😀 */ storage_encrypted = false # want "AWS-RDS-002"
}

resource "aws_security_group" "bastion" {
  name = "bastion"

  ingress {
    description = "SSH, café 😀"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"] # want "AWS-SG-001"
  }
}

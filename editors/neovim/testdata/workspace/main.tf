# A small workspace for the Neovim end-to-end test. Expectations sit next to the line whose
# diagnostic they name, as in the rest of threatls's testdata. The comment before
# storage_encrypted puts characters of 2, 3 and 4 UTF-8 bytes (1, 1 and 2 UTF-16 units) in
# front of the diagnostic and of the quick fix's edit, which Neovim 0.7 counts in UTF-16.

resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  publicly_accessible     = false
  backup_retention_period = 7
  deletion_protection     = true

  /* clé € 🔑 */ storage_encrypted = false # want "AWS-RDS-002"
}

resource "aws_security_group" "bastion" {
  name = "bastion"

  ingress {
    description = "SSH"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"] # want "AWS-SG-001"
  }
}

# RDS instances and Aurora clusters.

# Compliant: private, encrypted, backed up for a week, protected against deletion.
resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  username                    = "orders"
  manage_master_user_password = true
  storage_encrypted           = true
  publicly_accessible         = false
  backup_retention_period     = 7
  deletion_protection         = true
}

# Public, unencrypted, no backups, no deletion protection.
resource "aws_db_instance" "legacy" {
  identifier                  = "legacy"
  engine                      = "mysql"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  username                    = "admin"
  manage_master_user_password = true
  publicly_accessible         = true  # want "AWS-RDS-001"
  storage_encrypted           = false # want "AWS-RDS-002"
  backup_retention_period     = 0     # want "AWS-RDS-003"
  deletion_protection         = false # want "AWS-RDS-004"
}

# Public through a variable whose default is true; the other settings are left to their
# defaults: unencrypted and without deletion protection (reported on the header), backups
# kept for one day (not reported).
variable "reporting_public" {
  type    = bool
  default = true
}

resource "aws_db_instance" "reporting" { # want "AWS-RDS-002" "AWS-RDS-004"
  identifier                  = "reporting"
  engine                      = "postgres"
  instance_class              = "db.t4g.small"
  allocated_storage           = 20
  username                    = "reporting"
  manage_master_user_password = true
  publicly_accessible         = var.reporting_public # want "AWS-RDS-001"
}

# Encryption decided by a variable without a default: the finding is tentative, and placed
# on the expression that could not be resolved.
variable "analytics_encrypted" {
  type = bool
}

resource "aws_db_instance" "analytics" {
  identifier                  = "analytics"
  engine                      = "postgres"
  instance_class              = "db.t4g.small"
  allocated_storage           = 20
  username                    = "analytics"
  manage_master_user_password = true
  storage_encrypted           = var.analytics_encrypted # want "AWS-RDS-002"
  deletion_protection         = true
}

# Aurora cluster: compliant.
resource "aws_rds_cluster" "catalog" {
  cluster_identifier          = "catalog"
  engine                      = "aurora-postgresql"
  master_username             = "catalog"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 14
  deletion_protection         = true
}

# Aurora cluster without encryption or deletion protection.
resource "aws_rds_cluster" "sessions" { # want "AWS-RDS-002" "AWS-RDS-004"
  cluster_identifier          = "sessions"
  engine                      = "aurora-mysql"
  master_username             = "sessions"
  manage_master_user_password = true
  backup_retention_period     = 1
}

variable "retention" {
  default = 7
}

variable "public" {
  type = bool
}

locals {
  protect = true
}

resource "aws_db_instance" "main" { # want-element aws_db_instance.main store want-attr aws_db_instance.main kms_managed_key=false(defaulted) technology="rds"(read) in_scope=true(read)
  engine              = "postgres"
  storage_encrypted   = false                 # want-attr aws_db_instance.main encrypted_at_rest=false(read)
  publicly_accessible = var.public            # want-attr aws_db_instance.main public=?(unknown)
  backup_retention_period = var.retention     # want-attr aws_db_instance.main backup_retention_days=7(read) backup=true(read)
  deletion_protection = local.protect         # want-attr aws_db_instance.main deletion_protection=true(read)
}

resource "aws_db_instance" "defaults" { # want-element aws_db_instance.defaults store want-attr aws_db_instance.defaults encrypted_at_rest=false(defaulted) public=false(defaulted) backup=true(defaulted) backup_retention_days=1(defaulted) deletion_protection=false(defaulted)
  engine     = "mysql"
  kms_key_id = aws_kms_key.db.arn # want-attr aws_db_instance.defaults kms_managed_key=true(read)
}

resource "aws_rds_cluster" "aurora" { # want-element aws_rds_cluster.aurora store want-attr aws_rds_cluster.aurora encrypted_at_rest=true(defaulted) deletion_protection=false(defaulted)
  engine_mode             = "serverless"
  backup_retention_period = "0" # want-attr aws_rds_cluster.aurora backup=true(read) backup_retention_days=0(read)
}

resource "aws_kms_key" "db" { # want-element aws_kms_key.db store want-attr aws_kms_key.db symmetric=true(defaulted) technology="kms"(read)
  enable_key_rotation = true # want-attr aws_kms_key.db key_rotation=true(read)
}

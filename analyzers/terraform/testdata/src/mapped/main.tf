# Resources whose attributes come from the resource mapping alone (mapping/data/aws.yaml):
# one case for every source path a row reads in Terraform.

resource "aws_efs_file_system" "home" { # want-element aws_efs_file_system.home store
  encrypted  = true                     # want-attr aws_efs_file_system.home encrypted_at_rest=true(read)
  kms_key_id = aws_kms_key.data.arn     # want-attr aws_efs_file_system.home kms_managed_key=true(read)
}

resource "aws_kms_key" "data" { # want-element aws_kms_key.data store want-attr aws_kms_key.data key_rotation=false(defaulted)
  customer_master_key_spec = "RSA_4096" # want-attr aws_kms_key.data symmetric=false(read)
}

resource "aws_eks_cluster" "main" { # want-element aws_eks_cluster.main component want-attr aws_eks_cluster.main authenticates=true(defaulted) platform="eks"(read)
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    endpoint_public_access = false # want-attr aws_eks_cluster.main internet_facing=false(read)
    subnet_ids             = ["subnet-1"]
  }
}

resource "aws_elasticache_replication_group" "sessions" { # want-element aws_elasticache_replication_group.sessions store want-attr aws_elasticache_replication_group.sessions technology="redis"(read) encrypted_at_rest=false(defaulted)
  replication_group_id     = "sessions"
  description              = "sessions"
  kms_key_id               = aws_kms_key.data.arn # want-attr aws_elasticache_replication_group.sessions kms_managed_key=true(read)
  auth_token               = var.token            # want-attr aws_elasticache_replication_group.sessions authenticated=true(read)
  snapshot_retention_limit = 5                    # want-attr aws_elasticache_replication_group.sessions backup=true(read)
  transit_encryption_enabled = true               # want-attr aws_elasticache_replication_group.sessions tls_in_transit=true(read)
}

variable "token" {
  type      = string
  sensitive = true
}

# A member of a replication group: the group decides its encryption.
resource "aws_elasticache_cluster" "replica" { # want-element aws_elasticache_cluster.replica store want-attr aws_elasticache_cluster.replica technology="elasticache"(read)
  cluster_id                 = "replica"
  replication_group_id       = aws_elasticache_replication_group.sessions.id # want-attr aws_elasticache_cluster.replica encrypted_at_rest=?(unknown) kms_managed_key=?(unknown)
  snapshot_retention_limit   = 0                                               # want-attr aws_elasticache_cluster.replica backup=false(read)
  transit_encryption_enabled = var.tls                                         # want-attr aws_elasticache_cluster.replica tls_in_transit=?(unknown)
  auth_token                 = "not-a-real-token"                              # want-attr aws_elasticache_cluster.replica authenticated=true(read)
}

variable "tls" {}

resource "aws_lb" "internal" { # want-element aws_lb.internal component want-attr aws_lb.internal technology="alb"(read) behind_waf=false(defaulted)
  internal = true # want-attr aws_lb.internal internet_facing=false(read)
}

resource "aws_rds_cluster" "orders" { # want-element aws_rds_cluster.orders store want-attr aws_rds_cluster.orders backup=true(defaulted) encrypted_at_rest=false(defaulted)
  engine                              = "aurora-postgresql"      # want-attr aws_rds_cluster.orders engine="aurora-postgresql"(read)
  kms_key_id                          = aws_kms_key.data.arn     # want-attr aws_rds_cluster.orders kms_managed_key=true(read)
  iam_database_authentication_enabled = true                     # want-attr aws_rds_cluster.orders iam_auth=true(read)
}

resource "aws_sns_topic" "events" { # want-element aws_sns_topic.events store want-attr aws_sns_topic.events authenticated=true(defaulted)
  kms_master_key_id = "alias/aws/sns" # want-attr aws_sns_topic.events encrypted_at_rest=true(read) kms_managed_key=true(read)
}

resource "aws_sqs_queue" "jobs" { # want-element aws_sqs_queue.jobs store want-attr aws_sqs_queue.jobs kms_managed_key=false(defaulted)
  sqs_managed_sse_enabled = false # want-attr aws_sqs_queue.jobs encrypted_at_rest=false(read)
}

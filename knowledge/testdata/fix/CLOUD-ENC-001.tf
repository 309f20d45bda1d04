resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "user sessions"
  transit_encryption_enabled = true
  auth_token                 = var.token
}

variable "token" {}

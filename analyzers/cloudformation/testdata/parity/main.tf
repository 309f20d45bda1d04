# The same resources as template.yaml, in Terraform: each label is the logical ID in lower case.
resource "aws_s3_bucket" "assets" {
  bucket = "acme-assets"
  acl    = "public-read"
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_db_instance" "orders" {
  engine                  = "postgres"
  storage_encrypted       = true
  kms_key_id              = "alias/orders"
  publicly_accessible     = false
  backup_retention_period = 0
}

resource "aws_sqs_queue" "jobs" {
  kms_master_key_id = "alias/jobs"
}

resource "aws_kms_key" "key" {
  enable_key_rotation = true
}

resource "aws_dynamodb_table" "carts" {
  name = "carts"
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "cache"
  description                = "cache"
  at_rest_encryption_enabled = true
  transit_encryption_enabled = false
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 10
}

resource "aws_cloudtrail" "trail" {
  name                       = "trail"
  s3_bucket_name             = "audit"
  is_multi_region_trail      = true
  enable_log_file_validation = false
}

resource "aws_lb" "web" {
  internal           = false
  load_balancer_type = "network"
}

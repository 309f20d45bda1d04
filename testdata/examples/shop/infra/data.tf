# The data tier: orders in Postgres, sessions in Redis, product images and invoices in S3,
# order events in SQS, the database password in Secrets Manager.
resource "aws_db_subnet_group" "shop" {
  name       = "shop"
  subnet_ids = [aws_subnet.private.id]
}

resource "aws_db_instance" "orders" { # want "SYS-PATH-003" "CLOUD-KMS-001"
  identifier             = "orders-db"
  engine                 = "postgres"
  instance_class         = "db.t4g.medium"
  allocated_storage      = 50
  db_subnet_group_name   = aws_db_subnet_group.shop.name
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  deletion_protection    = true
  backup_retention_period = 7
  tags                   = { DataClass = "customer" }
}

resource "aws_elasticache_subnet_group" "shop" {
  name       = "shop-cache"
  subnet_ids = [aws_subnet.private.id]
}

resource "aws_elasticache_replication_group" "cache" { # want "SYS-AUTH-004"
  replication_group_id       = "cache"
  subnet_group_name          = aws_elasticache_subnet_group.shop.name
  description                = "sessions"
  engine                     = "redis"
  node_type                  = "cache.t4g.small"
  at_rest_encryption_enabled = true
  transit_encryption_enabled = false # want "CLOUD-TLS-001"
}

# threatls:ignore AWS-S3-006 product images are the public catalogue; their access logs are the CDN's
resource "aws_s3_bucket" "images" { # want "AWS-S3-003" "AWS-S3-004" "AWS-S3-005"
  bucket = "shop-product-images"
}

resource "aws_s3_bucket" "invoices" { # want "AWS-S3-005"
  bucket = "shop-invoices"
}

resource "aws_s3_bucket_public_access_block" "invoices" {
  bucket                  = aws_s3_bucket.invoices.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
  bucket = aws_s3_bucket.invoices.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_sqs_queue" "orders" {
  name = "order-events"
}

resource "aws_secretsmanager_secret" "orders_db_password" { # want "CLOUD-KMS-001"
  name = "orders-db-password"
}

# S3 buckets configured with the companion resources of AWS provider v4 and later.

# Compliant: private, encrypted, versioned, logged. No finding.
resource "aws_s3_bucket" "data" {
  bucket = "shop-data"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/data/"
}

# The access-log bucket: private and encrypted; its companions name it by its literal name.
# Versioning is off on purpose (accepted), and it cannot log to itself.
# threatls:ignore AWS-S3-005 logs bucket, versioning not needed
resource "aws_s3_bucket" "logs" {  # the access-log bucket: it need not log itself (no AWS-S3-006)
  bucket = "shop-access-logs"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = "shop-access-logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = "shop-access-logs"

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = var.log_sse_algorithm
    }
  }
}

variable "log_sse_algorithm" {
  type    = string
  default = "AES256"
}

# Versioning suspended, one public access block flag off, nothing else configured.
resource "aws_s3_bucket" "archive" { # want "AWS-S3-004" "AWS-S3-006"
  bucket = "shop-archive"
}

resource "aws_s3_bucket_versioning" "archive" {
  bucket = aws_s3_bucket.archive.id

  versioning_configuration {
    status = "Suspended" # want "AWS-S3-005"
  }
}

resource "aws_s3_bucket_public_access_block" "archive" {
  bucket                  = aws_s3_bucket.archive.id
  block_public_acls       = true
  block_public_policy     = false # want "AWS-S3-003"
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# No companion at all: every missing control is reported on the bucket's header.
resource "aws_s3_bucket" "scratch" { # want "AWS-S3-003" "AWS-S3-004" "AWS-S3-005" "AWS-S3-006"
  bucket_prefix = "shop-scratch-"
}

# --- product images: private, served through CloudFront ---

resource "aws_s3_bucket" "assets" {
  bucket = "aws-shop-assets"
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = aws_s3_bucket.assets.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "assets" {
  bucket        = aws_s3_bucket.assets.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "assets/"
}

# --- invoices: personal data, encrypted with the shop's key ---

resource "aws_kms_key" "invoices" {
  description = "aws-shop invoices"
}

resource "aws_s3_bucket" "invoices" {
  bucket = "aws-shop-invoices"
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
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.invoices.arn
    }
    bucket_key_enabled = true
  }
}

# --- product feed for price comparison sites ---

resource "aws_s3_bucket" "feed" {
  bucket = "aws-shop-product-feed"
}

resource "aws_s3_bucket_acl" "feed" {
  bucket = aws_s3_bucket.feed.id
  acl    = "public-read"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "feed" {
  bucket = aws_s3_bucket.feed.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "feed" {
  bucket = aws_s3_bucket.feed.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "feed" {
  bucket        = aws_s3_bucket.feed.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "feed/"
}

# --- access logs of the other buckets ---

# threatls:ignore AWS-S3-006 this is the access-log bucket: logging it to itself would loop
resource "aws_s3_bucket" "access_logs" {
  bucket = "aws-shop-access-logs"
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

# --- uploads shared by the application instances ---

resource "aws_efs_file_system" "uploads" {
  creation_token = "aws-shop-uploads"
}

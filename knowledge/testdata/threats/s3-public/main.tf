# Public S3 buckets: through an ACL or a bucket policy, and the same neutralised by a public
# access block. Every bucket is otherwise compliant (inline v3-style blocks keep it short).

# Public through the inline ACL.
resource "aws_s3_bucket" "website" { # want "AWS-S3-003"
  bucket = "shop-website"
  acl    = "public-read" # want "AWS-S3-001"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = "shop-access-logs"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

# Public through an aws_s3_bucket_acl companion, with the ACL in a variable's default.
resource "aws_s3_bucket" "uploads" { # want "AWS-S3-003"
  bucket = "shop-uploads"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = "shop-access-logs"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

variable "uploads_acl" {
  type    = string
  default = "public-read-write"
}

resource "aws_s3_bucket_acl" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  acl    = var.uploads_acl # want "AWS-S3-001"
}

# Public through a bucket policy that allows everyone without a condition.
resource "aws_s3_bucket" "media" { # want "AWS-S3-003"
  bucket = "shop-media"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = "shop-access-logs"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

resource "aws_s3_bucket_policy" "media" {
  bucket = aws_s3_bucket.media.id
  policy = jsonencode({ # want "AWS-S3-002"
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.media.arn}/*"
    }]
  })
}

# Wildcard principal restricted by a condition, and a private ACL: not public.
resource "aws_s3_bucket" "internal" { # want "AWS-S3-003"
  bucket = "shop-internal"
  acl    = "private"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = "shop-access-logs"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}

resource "aws_s3_bucket_policy" "internal" {
  bucket = aws_s3_bucket.internal.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.internal.arn}/*"
      Condition = {
        StringEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" }
      }
    }]
  })
}

# A public ACL and a public policy, both neutralised by a full public access block.
resource "aws_s3_bucket" "legacy" {
  bucket = "shop-legacy"
  acl    = "public-read"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::shop-legacy/*"
    }]
  })

  versioning {
    enabled = true
  }

  logging {
    target_bucket = "shop-access-logs"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

resource "aws_s3_bucket_public_access_block" "legacy" {
  bucket                  = aws_s3_bucket.legacy.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

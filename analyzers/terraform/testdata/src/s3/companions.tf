resource "aws_s3_bucket_server_side_encryption_configuration" "logs" { # want-element aws_s3_bucket_server_side_encryption_configuration.logs control
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms" # want-attr aws_s3_bucket.logs encrypted_at_rest=true(read) kms_managed_key=true(read) want-attr aws_s3_bucket_server_side_encryption_configuration.logs encrypted_at_rest=true(read)
    }
  }
}

resource "aws_s3_bucket_versioning" "logs" { # want-element aws_s3_bucket_versioning.logs control
  bucket = aws_s3_bucket.logs.bucket
  versioning_configuration {
    status = "Enabled" # want-attr aws_s3_bucket.logs versioned=true(read)
  }
}

# Linked by the bucket's literal name, through a local.
resource "aws_s3_bucket_public_access_block" "logs" { # want-element aws_s3_bucket_public_access_block.logs control want-attr aws_s3_bucket.logs public_access_block=true(read)
  bucket                  = "acme-logs"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true # want-attr aws_s3_bucket.logs ignores_public_acls=true(read)
  restrict_public_buckets = true
}

resource "aws_s3_bucket_acl" "data" { # want-element aws_s3_bucket_acl.data control
  bucket = aws_s3_bucket.data.id
  acl    = "private" # want-attr aws_s3_bucket.data acl="private"(read) public_acl=false(read)
}

resource "aws_s3_bucket_policy" "data" { # want-element aws_s3_bucket_policy.data control
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({ # want-attr aws_s3_bucket.data public_policy=true(read) public=true(read)
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}

resource "aws_s3_bucket_logging" "orphan" { # want-element aws_s3_bucket_logging.orphan control
  bucket        = var.unknown_bucket
  target_bucket = "x" # want-attr aws_s3_bucket_logging.orphan logs_access=true(read)
}

# S3 buckets written in the inline style of AWS provider v3.

# Versioning declared but disabled, logging and encryption inline.
resource "aws_s3_bucket" "reports" { # want "AWS-S3-003"
  bucket = "shop-reports"

  versioning {
    enabled = false # want "AWS-S3-005"
  }

  logging {
    target_bucket = "shop-access-logs"
    target_prefix = "reports/"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}

# Versioning through a variable whose default enables it; no encryption, no logging.
variable "versioning" {
  type    = bool
  default = true
}

resource "aws_s3_bucket" "exports" { # want "AWS-S3-003" "AWS-S3-004" "AWS-S3-006"
  bucket = "shop-exports"

  versioning {
    enabled = var.versioning
  }
}

locals {
  logs_name = "acme-logs"
}

resource "aws_s3_bucket" "logs" { # want-element aws_s3_bucket.logs store want-attr aws_s3_bucket.logs acl="private"(defaulted) public_acl=false(defaulted) logs_access=false(defaulted) public=false(defaulted)
  bucket = local.logs_name
}

# An inline (provider v3) ACL, no companion at all.
resource "aws_s3_bucket" "site" { # want-element aws_s3_bucket.site store want-attr aws_s3_bucket.site encrypted_at_rest=true(defaulted) sse_configured=false(defaulted) kms_managed_key=false(defaulted) public_access_block=false(defaulted) public_policy=false(defaulted)
  bucket = "acme-site"
  acl    = "public-read" # want-attr aws_s3_bucket.site acl="public-read"(read) public_acl=true(read) public=true(read)

  versioning {
    enabled = true # want-attr aws_s3_bucket.site versioned=true(read)
  }
}

resource "aws_s3_bucket" "data" { # want-element aws_s3_bucket.data store want-attr aws_s3_bucket.data logs_access=false(defaulted)
  bucket = "acme-data"
}

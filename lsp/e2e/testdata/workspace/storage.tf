# A file of the workspace the client never opens: its diagnostics come from the initial scan.
# A finding about a missing attribute points at the block's header.

resource "aws_s3_bucket" "assets" { # want "AWS-S3-003" "AWS-S3-004" "AWS-S3-005" "AWS-S3-006"
  bucket = "shop-assets"
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = "public-read" # want "AWS-S3-001"
}

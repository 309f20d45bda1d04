# threatls:ignore AWS-S3-004 static assets are public by design
resource "aws_s3_bucket" "assets" { # want "AWS-S3-003" "AWS-S3-006"
  bucket = "shop-assets"
}

resource "aws_s3_bucket" "reports" { # want "AWS-S3-005" "AWS-S3-006"
  bucket = "shop-reports"
}

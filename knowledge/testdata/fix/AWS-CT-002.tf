resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "shop-cloudtrail"
  enable_log_file_validation = true
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "audit"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = "arn:aws:kms:eu-west-1:123456789012:key/1"
}

resource "aws_config_configuration_recorder" "main" {
  role_arn = "arn:aws:iam::123456789012:role/config"
}

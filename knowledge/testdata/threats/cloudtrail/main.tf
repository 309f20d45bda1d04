# A workspace that defines trails: AWS-CT-001 does not fire on its provider.
provider "aws" { # want "AWS-GD-001" "AWS-CFG-001"
  region = "eu-west-1"
}

# Compliant: all regions, validated, encrypted with a customer managed key.
resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "shop-cloudtrail"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# Defaults everywhere: one region, no validation, no KMS key.
resource "aws_cloudtrail" "audit" { # want "AWS-CT-002" "AWS-CT-003" "AWS-CT-004"
  name           = "audit"
  s3_bucket_name = "shop-cloudtrail"
}

# Written explicitly, from a variable's default.
variable "trail_validation" {
  type    = bool
  default = false
}

resource "aws_cloudtrail" "data_events" {
  name                       = "data-events"
  s3_bucket_name             = "shop-cloudtrail"
  is_multi_region_trail      = false                # want "AWS-CT-002"
  enable_log_file_validation = var.trail_validation # want "AWS-CT-003"
  kms_key_id                 = "alias/cloudtrail"

  event_selector {
    read_write_type           = "All"
    include_management_events = false

    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3:::shop-data/"]
    }
  }
}

resource "aws_accessanalyzer_analyzer" "account" {
  analyzer_name = "account"
}

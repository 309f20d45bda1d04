# fix: aws_s3_bucket.logs {"op":"set","path":"server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm","value":"\"aws:kms\""}
resource "aws_s3_bucket" "other" {
  bucket = "other"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
  tags = {
    team = "platform"
  }
}

# fix: aws_s3_bucket_versioning.logs {"op":"set","path":"versioning_configuration.status","value":"\"Enabled\""}
resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
}

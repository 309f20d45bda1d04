# A public bucket. Its public access block, in block.tf, is what the tests add and remove.
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read"
}

# fix: aws_s3_bucket.site {"op":"append","text":"resource \"aws_s3_bucket_public_access_block\" \"site\" {\nbucket = aws_s3_bucket.site.id\nblock_public_acls = true\nblock_public_policy = true\nignore_public_acls = true\nrestrict_public_buckets = true\n}\n"}
resource "aws_s3_bucket" "site" {
  bucket = "site"
  acl    = "public-read"
}

resource "aws_s3_bucket" "next" {
  bucket = "next"
}

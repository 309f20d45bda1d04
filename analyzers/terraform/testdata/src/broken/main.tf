resource "aws_s3_bucket" "ok" { # want-element aws_s3_bucket.ok store
  bucket = "ok"
  acl    = "public-read" # want-attr aws_s3_bucket.ok public_acl=true(read)
}

resource "aws_db_instance" "broken" {
  storage_encrypted = = true # want-problem "^syntax error: unexpected .*; the rest of the file was analysed$"
}

resource "aws_kms_key" "after" { # want-element aws_kms_key.after store
  enable_key_rotation = false # want-attr aws_kms_key.after key_rotation=false(read)
}

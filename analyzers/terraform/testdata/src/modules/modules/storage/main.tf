variable "name" {}

resource "aws_s3_bucket" "b" { # want-element aws_s3_bucket.b store
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "b" { # want-element aws_s3_bucket_versioning.b control
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = "Suspended" # want-attr aws_s3_bucket.b versioned=false(read)
  }
}

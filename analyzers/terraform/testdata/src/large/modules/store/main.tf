variable "versioned" {
  default = true
}

# Called twice with different values: whether the companion exists is not known for the
# module as a whole, so what it says of the bucket is unknown.
resource "aws_s3_bucket" "this" { # want-element aws_s3_bucket.this store
  bucket = "store"
}

resource "aws_s3_bucket_versioning" "this" { # want-element aws_s3_bucket_versioning.this control
  count  = var.versioned ? 1 : 0
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled" # want-attr aws_s3_bucket.this versioned=?(unknown)
  }
}

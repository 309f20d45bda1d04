module "storage" {
  source = "./modules/storage"
}

resource "aws_s3_bucket" "b" { # want-element aws_s3_bucket.b store
  bucket = "root"
}

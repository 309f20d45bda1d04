resource "aws_s3_bucket" "invoices" {
  bucket = "shop-invoices"

  tags = {
    Team = "billing"
  }
}

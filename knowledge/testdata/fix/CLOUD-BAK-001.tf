resource "aws_dynamodb_table" "orders" {
  name                        = "orders"
  hash_key                    = "id"
  billing_mode                = "PAY_PER_REQUEST"
  deletion_protection_enabled = true

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
  username          = "app"
  password          = "pw-c4n4ry-tf-7781"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  runtime       = "python3.12"
  handler       = "main.handler"
  environment {
    variables = {
      STRIPE_KEY        = "sk_live_c4n4ry000000000000000000"
      AWS_ACCESS_KEY_ID = "AKIAC4N4RY0000000001"
      PAYMENTS_SECRET   = "tf-c4n4ry-lambda-secret"
    }
  }
}

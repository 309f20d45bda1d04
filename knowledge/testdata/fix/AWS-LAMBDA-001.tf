resource "aws_lambda_function" "report" {
  function_name = "report"
  role          = "arn:aws:iam::123456789012:role/report"
  handler       = "app.handler"
  runtime       = "python3.12"
}

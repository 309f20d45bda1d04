resource "aws_ssm_parameter" "db_password" {
  name  = "/shop/db/password"
  type  = "String"
  value = "placeholder"
}

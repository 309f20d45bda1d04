resource "aws_lb" "web" {
  name     = "web"
  internal = true
  subnets  = ["subnet-0abc"]
}

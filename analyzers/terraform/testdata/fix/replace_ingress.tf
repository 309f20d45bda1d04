# fix: aws_security_group.web.ingress[1] {"op":"replace","path":"cidr_blocks","old":"\"0.0.0.0/0\"","new":"\"10.0.0.0/8\""}
resource "aws_security_group" "web" {
  name = "web"

  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# fix: aws_security_group.web.ingress[0] {"op":"set","path":"description","value":"\"HTTPS from the office\""}
resource "aws_security_group" "web" {
  ingress {
    protocol  = "tcp"
    from_port = 443
    to_port   = 443
  }
}

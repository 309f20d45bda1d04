# Security groups: inline ingress blocks, aws_security_group_rule and
# aws_vpc_security_group_ingress_rule.

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-0123456789abcdef0"

  # HTTPS from anywhere: expected for a public web front end.
  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  # SSH from the internet.
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # want "AWS-SG-001"
  }

  # SSH from the private network only.
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_security_group" "windows" {
  name   = "windows"
  vpc_id = "vpc-0123456789abcdef0"

  # RDP from the internet over IPv6.
  ingress {
    from_port        = 3389
    to_port          = 3389
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"] # want "AWS-SG-002"
  }
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = "vpc-0123456789abcdef0"

  # PostgreSQL from the application's security group: not from the internet.
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
}

# PostgreSQL from the internet, as a separate rule; the source comes from a variable default.
variable "db_ingress_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "db_public" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = var.db_ingress_cidrs # want "AWS-SG-003"
}

# A port range from 1000 to 10000 includes RDP (3389) and database ports (3306, 5432, ...).
resource "aws_security_group_rule" "range" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 1000
  to_port           = 10000
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"] # want "AWS-SG-002" "AWS-SG-003"
}

# Egress rules are not ingress: never reported.
resource "aws_security_group_rule" "egress_all" {
  type              = "egress"
  security_group_id = aws_security_group.db.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

# Redis from the internet with the newer rule resource.
resource "aws_vpc_security_group_ingress_rule" "redis" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 6379
  to_port           = 6379
  cidr_ipv4         = "0.0.0.0/0" # want "AWS-SG-003"
}

# MySQL from the VPC only.
resource "aws_vpc_security_group_ingress_rule" "mysql_vpc" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 3306
  to_port           = 3306
  cidr_ipv4         = "10.20.0.0/16"
}

# Every protocol and port from the internet: one finding, not one per sensitive port.
resource "aws_security_group" "debug" {
  name   = "debug"
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"] # want "AWS-SG-004"
  }
}

resource "aws_vpc_security_group_ingress_rule" "all_tcp" {
  security_group_id = aws_security_group.debug.id
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv6         = "::/0" # want "AWS-SG-004"
}

# ICMP from anywhere (ping): not a port exposure.
resource "aws_vpc_security_group_ingress_rule" "ping" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "icmp"
  from_port         = 8
  to_port           = 0
  cidr_ipv4         = "0.0.0.0/0"
}

provider "aws" { # want-element provider.aws zone want-attr provider.aws technology="aws"(read)
  region = "eu-west-1" # want-attr provider.aws region="eu-west-1"(read)
}

provider "aws" { # want-element provider.aws.us zone
  alias  = "us"
  region = "us-east-1" # want-attr provider.aws.us region="us-east-1"(read)
}

resource "aws_security_group" "web" { # want-element aws_security_group.web zone want-element actor:internet actor
  name = "web"

  ingress { # want-element aws_security_group.web.ingress[0] flow
    protocol    = "tcp"         # want-attr aws_security_group.web.ingress[0] protocol="tcp"(read)
    from_port   = 443           # want-attr aws_security_group.web.ingress[0] from_port=443(read)
    to_port     = 443           # want-attr aws_security_group.web.ingress[0] to_port=443(read)
    cidr_blocks = ["0.0.0.0/0"] # want-attr aws_security_group.web.ingress[0] source_cidrs=["0.0.0.0/0"](read) from_internet=true(read)
  }

  ingress { # want-element aws_security_group.web.ingress[1] flow want-attr aws_security_group.web.ingress[1] source_cidrs=[](defaulted) from_internet=false(defaulted)
    protocol        = "-1" # want-attr aws_security_group.web.ingress[1] protocol="all"(read) from_port=0(read) to_port=65535(read)
    from_port       = 0
    to_port         = 0
    security_groups = [aws_security_group.db.id]
  }
}

resource "aws_security_group" "db" { # want-element aws_security_group.db zone
  name = "db"
}

resource "aws_security_group_rule" "ssh" { # want-element aws_security_group_rule.ssh flow
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  protocol          = "6"                   # want-attr aws_security_group_rule.ssh protocol="tcp"(read)
  from_port         = 22
  to_port           = "22"                  # want-attr aws_security_group_rule.ssh to_port=22(read)
  cidr_blocks       = ["10.0.0.0/8", "::/0"] # want-attr aws_security_group_rule.ssh from_internet=true(read)
}

resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = aws_security_group.db.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "pg" { # want-element aws_vpc_security_group_ingress_rule.pg flow
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "10.1.0.0/16" # want-attr aws_vpc_security_group_ingress_rule.pg source_cidrs=["10.1.0.0/16"](read) from_internet=false(read)
}

resource "aws_lb" "front" { # want-element aws_lb.front component want-attr aws_lb.front internet_facing=true(defaulted) technology="alb"(read)
  name = "front"
}

resource "aws_lb_listener" "http" { # want-element aws_lb_listener.http flow want-attr aws_lb_listener.http protocol="HTTP"(defaulted) tls=false(defaulted)
  load_balancer_arn = aws_lb.front.arn
  port              = 80 # want-attr aws_lb_listener.http port=80(read)

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS" # want-attr aws_lb_listener.http redirects_to_https=true(read)
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" { # want-element aws_lb_listener.https flow
  load_balancer_arn = aws_lb.front.arn
  port              = 443
  protocol          = "https" # want-attr aws_lb_listener.https protocol="HTTPS"(read) tls=true(read)

  default_action { # want-attr aws_lb_listener.https redirects_to_https=false(read)
    type = "forward"
  }
}

resource "aws_elb" "classic" { # want-element aws_elb.classic component
  internal = true # want-attr aws_elb.classic internet_facing=false(read)

  listener { # want-element aws_elb.classic.listener[0] flow
    lb_protocol       = "http" # want-attr aws_elb.classic.listener[0] protocol="HTTP"(read) tls=false(read)
    lb_port           = 80     # want-attr aws_elb.classic.listener[0] port=80(read)
    instance_protocol = "http"
    instance_port     = 8080
  }
}

variable "legacy_subnet" {}

variable "stripe_token" {}

resource "aws_lb" "web" { # want-element aws_lb.web component want-attr aws_lb.web internet_facing=true(defaulted)
  name            = "shop-web"
  security_groups = [aws_security_group.alb.id]
  subnets         = [aws_subnet.public_a.id, aws_subnet.public_b.id] # want-attr aws_lb.web zone="terraform:./aws_subnet.public_a"(read)
}

resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn # want-attr aws_lb.web behind_waf=true(read)
  web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/abc"
}

resource "aws_lb_target_group" "api" {
  port        = 8080
  protocol    = "HTTP" # want-attr aws_ecs_service.api.load_balancer[0] protocol="http"(read) tls=false(read)
  vpc_id      = aws_vpc.shop.id
  target_type = "ip"
}

resource "aws_lb_target_group" "legacy" {
  port     = 9000
  protocol = "HTTPS" # want-attr aws_lb_target_group_attachment.worker protocol="https"(read) tls=true(read)
  vpc_id   = aws_vpc.shop.id
}

resource "aws_lb_listener" "https" { # want-element aws_lb_listener.https flow
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

resource "aws_lb_listener_rule" "legacy" {
  listener_arn = aws_lb_listener.https.arn

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.legacy.arn
  }

  condition {
    path_pattern {
      values = ["/legacy/*"]
    }
  }
}

# The flow from the load balancer (through the listener rule) to the instance.
resource "aws_lb_target_group_attachment" "worker" { # want-element aws_lb_target_group_attachment.worker flow
  target_group_arn = aws_lb_target_group.legacy.arn
  target_id        = aws_instance.worker.id
  port             = 9443 # want-attr aws_lb_target_group_attachment.worker port=9443(read)
}

# Run by aws_ecs_service.api: its containers' attributes are the service's.
resource "aws_ecs_task_definition" "api" {
  family                = "shop-api"
  network_mode          = "awsvpc" # want-attr aws_ecs_service.api host_network=false(read)
  container_definitions = jsonencode([
    {
      name                   = "api"
      image                  = "ghcr.io/shop/api:1.4.2" # want-attr aws_ecs_service.api image="ghcr.io/shop/api:1.4.2"(read) image_pinned=true(read)
      readonlyRootFilesystem = true
      environment = [
        { name = "LOG_LEVEL", value = "info" },
        { name = "DB_PASSWORD", value = "hunter2" }, # want-attr aws_ecs_service.api secrets_in_env=true(read)
      ]
      secrets = [ # want-attr aws_ecs_service.api uses_vault=true(read)
        { name = "API_KEY", valueFrom = aws_secretsmanager_secret.api_key.arn },
      ]
    },
    {
      name       = "sidecar"
      image      = "envoyproxy/envoy:latest"
      privileged = true # want-attr aws_ecs_service.api privileged=true(read)
      user       = "1337"
    },
  ])
}

resource "aws_ecs_service" "api" { # want-element aws_ecs_service.api component want-attr aws_ecs_service.api platform="ecs"(read) technology="ecs"(read) runs_as_root=true(defaulted) read_only_fs=false(defaulted)
  name            = "shop-api"
  task_definition = aws_ecs_task_definition.api.arn

  network_configuration {
    subnets          = [aws_subnet.private_a.id, aws_subnet.private_b.id] # want-attr aws_ecs_service.api zone="terraform:./aws_subnet.private_a"(read)
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false # want-attr aws_ecs_service.api internet_facing=false(read)
  }

  load_balancer { # want-element aws_ecs_service.api.load_balancer[0] flow
    target_group_arn = aws_lb_target_group.api.arn
    container_name   = "api"
    container_port   = 8080 # want-attr aws_ecs_service.api.load_balancer[0] port=8080(read)
  }
}

# Run by no service: a component of its own. A JSON string spans the whole argument.
resource "aws_ecs_task_definition" "migrate" { # want-element aws_ecs_task_definition.migrate component want-attr aws_ecs_task_definition.migrate privileged=false(defaulted) uses_vault=false(defaulted) host_network=false(defaulted)
  family                = "shop-migrate"
  container_definitions = <<-EOT
    [
      {"name": "migrate", "image": "ghcr.io/shop/migrate@sha256:0123", "user": "1000",
       "readonlyRootFilesystem": true,
       "environment": [{"name": "DATABASE_URL", "value": "postgres://app:s3cret@orders-db:5432/orders"}]}
    ]
  EOT
} # want-attr:-7 aws_ecs_task_definition.migrate image="ghcr.io/shop/migrate@sha256:0123"(read) runs_as_root=false(read) read_only_fs=true(read) secrets_in_env=true(read)

resource "aws_instance" "bastion" { # want-element aws_instance.bastion component want-attr aws_instance.bastion platform="ec2"(read) technology="ec2"(read)
  ami                         = "ami-0123456789"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public_a.id # want-attr aws_instance.bastion zone="terraform:./aws_subnet.public_a"(read)
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.bastion.id]

  metadata_options {
    http_tokens = "required" # want-attr aws_instance.bastion imdsv2=true(read)
  }
}

resource "aws_instance" "worker" { # want-element aws_instance.worker component want-attr aws_instance.worker internet_facing=false(defaulted) imdsv2=false(defaulted)
  ami                    = "ami-0123456789"
  instance_type          = "t3.small"
  subnet_id              = aws_subnet.private_a.id
  vpc_security_group_ids = [aws_security_group.worker.id]
}

# Its subnet is not in the module: the VPC of its security group is its zone.
resource "aws_instance" "legacy" { # want-element aws_instance.legacy component
  ami                    = "ami-0123456789"
  instance_type          = "t3.small"
  subnet_id              = var.legacy_subnet
  vpc_security_group_ids = [aws_security_group.bastion.id] # want-attr aws_instance.legacy zone="terraform:./aws_vpc.shop"(read)
}

resource "aws_instance" "mapped" { # want-element aws_instance.mapped component want-attr aws_instance.mapped internet_facing=true(defaulted)
  ami           = "ami-0123456789"
  instance_type = "t3.small"
  subnet_id     = aws_subnet.mapped.id
}

resource "aws_launch_template" "workers" { # want-element aws_launch_template.workers component want-attr aws_launch_template.workers internet_facing=?(unknown)
  name = "workers"

  metadata_options {
    http_tokens = "optional" # want-attr aws_launch_template.workers imdsv2=false(read)
  }
}

resource "aws_eks_cluster" "platform" { # want-element aws_eks_cluster.platform component want-attr aws_eks_cluster.platform technology="eks"(read) internet_facing=true(defaulted) authenticates=true(defaulted)
  name     = "platform"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id] # want-attr aws_eks_cluster.platform zone="terraform:./aws_subnet.private_a"(read)
  }
}

resource "aws_lambda_function" "thumbs" { # want-element aws_lambda_function.thumbs component want-attr aws_lambda_function.thumbs platform="lambda"(read) technology="lambda"(read) outbound_internet=true(defaulted)
  function_name = "thumbnailer"
  role          = "arn:aws:iam::123456789012:role/thumbs"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbs:latest" # want-attr aws_lambda_function.thumbs image_pinned=false(read)

  environment {
    variables = {
      BUCKET       = "shop-images"
      STRIPE_TOKEN = var.stripe_token # want-attr aws_lambda_function.thumbs secrets_in_env=true(read)
    }
  }
}

resource "aws_lambda_function_url" "thumbs" { # want-element aws_lambda_function_url.thumbs flow want-attr aws_lambda_function.thumbs internet_facing=true(read) want-attr aws_lambda_function_url.thumbs protocol="https"(defaulted) port=443(defaulted) tls=true(defaulted)
  function_name      = aws_lambda_function.thumbs.function_name
  authorization_type = "NONE" # want-attr aws_lambda_function_url.thumbs authenticated=false(read) want-attr aws_lambda_function.thumbs authenticates=false(read)
}

resource "aws_lambda_function" "orders_api" { # want-element aws_lambda_function.orders_api component want-attr aws_lambda_function.orders_api internet_facing=false(defaulted)
  function_name = "orders-api"
  role          = "arn:aws:iam::123456789012:role/orders"
  runtime       = "python3.12"
  handler       = "app.handler"

  vpc_config {
    subnet_ids         = [aws_subnet.private_a.id] # want-attr aws_lambda_function.orders_api zone="terraform:./aws_subnet.private_a"(read)
    security_group_ids = [aws_security_group.app.id]
  }

  environment {
    variables = { # want-attr aws_lambda_function.orders_api secrets_in_env=false(read)
      DB_SECRET_ARN = aws_secretsmanager_secret.db.arn # want-attr aws_lambda_function.orders_api uses_vault=true(read)
    }
  }
}

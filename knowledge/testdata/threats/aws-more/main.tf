# AWS services beyond storage and networks: compute, containers, functions, IAM hygiene.
resource "aws_instance" "web" { # want "AWS-EC2-001"
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0abc"
  user_data     = "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n" # want "SYS-SECRET-001"
}

resource "aws_instance" "worker" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0abc"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_ecr_repository" "api" { # want "AWS-ECR-001" "AWS-ECR-002"
  name = "api"
}

resource "aws_ecr_repository" "web" {
  name                 = "web"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_lb" "internal" {
  name                       = "internal"
  internal                   = true
  drop_invalid_header_fields = true
  access_logs {
    bucket  = "lb-logs"
    enabled = true
  }
}

resource "aws_lambda_function" "report" { # want "AWS-LAMBDA-001"
  function_name = "report"
  role          = "arn:aws:iam::123456789012:role/report"
  handler       = "app.handler"
  runtime       = "python3.12"
}

resource "aws_lambda_function" "traced" {
  function_name = "traced"
  role          = "arn:aws:iam::123456789012:role/traced"
  handler       = "app.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_iam_account_password_policy" "weak" {
  minimum_password_length = 8 # want "AWS-IAM-004"
}

resource "aws_iam_account_password_policy" "strong" {
  minimum_password_length = 16
}

resource "aws_iam_access_key" "ci" { # want "AWS-IAM-005"
  user = "ci"
}

resource "aws_iam_access_key" "old" {
  user   = "old"
  status = "Inactive"
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/shop/db/password"
  type  = "String" # want "AWS-SSM-001"
  value = "placeholder"
}

resource "aws_ssm_parameter" "api_token" {
  name  = "/shop/api/token"
  type  = "SecureString"
  value = "placeholder"
}

resource "aws_ssm_parameter" "region" {
  name  = "/shop/region"
  type  = "String"
  value = "eu-west-1"
}

resource "aws_default_security_group" "default" {
  vpc_id = "vpc-0abc"
  ingress { # want "AWS-SG-005"
    protocol  = -1
    self      = true
    from_port = 0
    to_port   = 0
  }
}

resource "aws_default_security_group" "empty" {
  vpc_id = "vpc-0def"
}

resource "aws_eks_cluster" "open" { # want "CLOUD-K8S-001" "CLOUD-K8S-002" "CLOUD-LOG-001"
  name     = "open"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-0abc"]
  }
}

resource "aws_eks_cluster" "private" {
  name                      = "private"
  role_arn                  = "arn:aws:iam::123456789012:role/eks"
  enabled_cluster_log_types = ["api", "audit"]
  vpc_config {
    subnet_ids              = ["subnet-0abc"]
    endpoint_public_access  = false
    endpoint_private_access = true
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1"
    }
  }
}

resource "aws_dynamodb_table" "orders" { # want "CLOUD-BAK-001" "CLOUD-DEL-001"
  name     = "orders"
  hash_key = "id"
}

resource "aws_dynamodb_table" "carts" {
  name                        = "carts"
  hash_key                    = "id"
  deletion_protection_enabled = true
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_elasticache_replication_group" "sessions" { # want "CLOUD-ENC-001" "CLOUD-TLS-001" "SYS-AUTH-004"
  replication_group_id = "sessions"
  description          = "sessions"
}

resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
  encrypt_at_rest {
    enabled = true
  }
  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
  log_publishing_options {
    log_type                 = "AUDIT_LOGS"
    cloudwatch_log_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:os"
  }
}

resource "aws_redshift_cluster" "dw" { # want "CLOUD-ENC-001" "CLOUD-LOG-001"
  cluster_identifier  = "dw"
  node_type           = "dc2.large"
  publicly_accessible = true # want "CLOUD-PUB-001"
}

resource "aws_cloudfront_distribution" "site" { # want "CLOUD-LOG-001"
  enabled = true
  default_cache_behavior {
    viewer_protocol_policy = "allow-all" # want "CLOUD-TLS-001"
    target_origin_id       = "s3"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  viewer_certificate {
    cloudfront_default_certificate = true # want "CLOUD-TLS-002"
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}

resource "aws_sns_topic" "alerts" { # want "CLOUD-ENC-001"
  name = "alerts"
}

# A database of customer records (classified personal data by its name) without a key of
# its own.
resource "aws_db_instance" "customers" { # want "CLOUD-KMS-001"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  storage_encrypted   = true
  deletion_protection = true
}

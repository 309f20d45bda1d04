# One resource per path the AWS rows read that no other testdata reads (TestRowsExercised).
resource "aws_api_gateway_domain_name" "api" { # want-element aws_api_gateway_domain_name.api control
  domain_name     = "api.example.com"
  security_policy = "TLS_1_2" # want-attr aws_api_gateway_domain_name.api tls_min_version="1.2"(read)
}

resource "aws_api_gateway_stage" "prod" { # want-element aws_api_gateway_stage.prod control
  stage_name           = "prod"
  rest_api_id          = "abc"
  deployment_id        = "def"
  xray_tracing_enabled = true # want-attr aws_api_gateway_stage.prod tracing=true(read)
  access_log_settings { # want-attr aws_api_gateway_stage.prod logging=true(read)
    destination_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:api"
    format          = "$context.requestId"
  }
}

resource "aws_cloudfront_distribution" "cdn" { # want-element aws_cloudfront_distribution.cdn component
  enabled    = true
  web_acl_id = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn/1" # want-attr aws_cloudfront_distribution.cdn behind_waf=true(read)
  logging_config { # want-attr aws_cloudfront_distribution.cdn logging=true(read)
    bucket = "logs.s3.amazonaws.com"
  }
  default_cache_behavior {
    viewer_protocol_policy = "redirect-to-https" # want-attr aws_cloudfront_distribution.cdn tls_in_transit=true(read)
    target_origin_id       = "s3"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/1"
    minimum_protocol_version = "TLSv1.2_2021" # want-attr aws_cloudfront_distribution.cdn tls_min_version="1.2"(read)
  }
}

resource "aws_cloudwatch_log_group" "app" { # want-element aws_cloudwatch_log_group.app store
  name       = "app"
  kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/1" # want-attr aws_cloudwatch_log_group.app kms_managed_key=true(read)
}

resource "aws_config_configuration_recorder" "main" { # want-element aws_config_configuration_recorder.main control
  role_arn = "arn:aws:iam::123456789012:role/config"
  recording_group {
    all_supported = true # want-attr aws_config_configuration_recorder.main all_resources=true(read)
  }
}

resource "aws_docdb_cluster" "docs" { # want-element aws_docdb_cluster.docs store
  cluster_identifier              = "docs"
  storage_encrypted               = true # want-attr aws_docdb_cluster.docs encrypted_at_rest=true(read)
  kms_key_id                      = "arn:aws:kms:eu-west-1:123456789012:key/1"
  backup_retention_period         = 7
  deletion_protection             = true
  enabled_cloudwatch_logs_exports = ["audit"] # want-attr aws_docdb_cluster.docs logging=true(read)
}

resource "aws_ecr_repository_policy" "public" { # want-element aws_ecr_repository_policy.public control
  repository = "api"
  policy = jsonencode({ # want-attr aws_ecr_repository_policy.public public=true(read)
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
  })
}

resource "aws_ecr_repository" "keyed" { # want-element aws_ecr_repository.keyed store
  name = "keyed"
  encryption_configuration {
    encryption_type = "KMS" # want-attr aws_ecr_repository.keyed kms_managed_key=true(read)
  }
}

resource "aws_guardduty_detector" "main" { # want-element aws_guardduty_detector.main control
  enable = true # want-attr aws_guardduty_detector.main enabled=true(read)
}

resource "aws_iam_account_password_policy" "main" { # want-element aws_iam_account_password_policy.main control
  minimum_password_length   = 14
  password_reuse_prevention = 24 # want-attr aws_iam_account_password_policy.main password_reuse_prevention=24(read)
}

resource "aws_kinesis_stream" "events" { # want-element aws_kinesis_stream.events store
  name            = "events"
  shard_count     = 1
  encryption_type = "KMS" # want-attr aws_kinesis_stream.events encrypted_at_rest=true(read)
  kms_key_id      = "alias/aws/kinesis"
}

resource "aws_msk_cluster" "kafka" { # want-element aws_msk_cluster.kafka store
  cluster_name           = "kafka"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3
  encryption_info {
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT" # want-attr aws_msk_cluster.kafka tls_in_transit=false(read)
    }
  }
  logging_info {
    broker_logs { # want-attr aws_msk_cluster.kafka logging=true(read)
      cloudwatch_logs {
        enabled   = true
        log_group = "msk"
      }
    }
  }
}

resource "aws_neptune_cluster" "graph" { # want-element aws_neptune_cluster.graph store
  cluster_identifier                  = "graph"
  storage_encrypted                   = false # want-attr aws_neptune_cluster.graph encrypted_at_rest=false(read)
  backup_retention_period             = 5
  deletion_protection                 = true
  enable_cloudwatch_logs_exports      = ["audit"]
  iam_database_authentication_enabled = true
}

resource "aws_opensearch_domain" "search" { # want-element aws_opensearch_domain.search store
  domain_name = "search"
  node_to_node_encryption {
    enabled = true # want-attr aws_opensearch_domain.search node_encryption=true(read)
  }
}

resource "aws_redshift_cluster" "dw" { # want-element aws_redshift_cluster.dw store
  cluster_identifier = "dw"
  node_type          = "dc2.large"
  encrypted          = true # want-attr aws_redshift_cluster.dw encrypted_at_rest=true(read)
  kms_key_id         = "arn:aws:kms:eu-west-1:123456789012:key/1"
  logging {
    enable = true # want-attr aws_redshift_cluster.dw logging=true(read)
  }
}

resource "aws_workspaces_workspace" "desk" { # want-element aws_workspaces_workspace.desk store
  directory_id                   = "d-1"
  bundle_id                      = "wsb-1"
  user_name                      = "jane"
  root_volume_encryption_enabled = true # want-attr aws_workspaces_workspace.desk encrypted_at_rest=true(read)
  user_volume_encryption_enabled = true
}

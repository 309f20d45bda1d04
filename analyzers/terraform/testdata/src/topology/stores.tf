resource "aws_db_subnet_group" "db" {
  name       = "shop-db"
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]
}

# Flows into the database are encrypted: its parameter group forces TLS.
resource "aws_db_parameter_group" "pg" {
  name   = "shop-pg"
  family = "postgres14"

  parameter {
    name  = "rds.force_ssl"
    value = "1" # want-attr aws_ecs_service.api->aws_db_instance.orders tls=true(read) want-attr aws_lambda_function.orders_api->aws_db_instance.orders tls=true(read)
  }
}

resource "aws_db_instance" "orders" { # want-element aws_db_instance.orders store want-attr aws_db_instance.orders category="database"(read) authenticated=true(defaulted) want-attr aws_ecs_service.api->aws_db_instance.orders authenticated=true(defaulted)
  identifier                          = "orders-db"
  engine                              = "postgres" # want-attr aws_db_instance.orders engine="postgres"(read)
  engine_version                      = "14.10"
  storage_encrypted                   = true
  db_subnet_group_name                = aws_db_subnet_group.db.name # want-attr aws_db_instance.orders zone="terraform:./aws_subnet.private_a"(read)
  vpc_security_group_ids              = [aws_security_group.db.id]
  parameter_group_name                = aws_db_parameter_group.pg.name
  iam_database_authentication_enabled = true # want-attr aws_db_instance.orders iam_auth=true(read)

  tags = { # want-attr aws_db_instance.orders tags={"Data":"customer-orders"}(read)
    Data = "customer-orders"
  }
}

resource "aws_elasticache_subnet_group" "cache" {
  name       = "shop-cache"
  subnet_ids = [aws_subnet.private_b.id]
}

resource "aws_elasticache_replication_group" "sessions" { # want-element aws_elasticache_replication_group.sessions store want-attr aws_elasticache_replication_group.sessions category="cache"(read) technology="redis"(read) authenticated=false(defaulted) backup=false(defaulted) kms_managed_key=false(defaulted) want-attr aws_ecs_service.api->aws_elasticache_replication_group.sessions authenticated=false(defaulted)
  replication_group_id       = "sessions"
  description                = "user sessions"
  at_rest_encryption_enabled = true                                          # want-attr aws_elasticache_replication_group.sessions encrypted_at_rest=true(read)
  transit_encryption_enabled = false                                         # want-attr aws_elasticache_replication_group.sessions tls_in_transit=false(read) want-attr aws_ecs_service.api->aws_elasticache_replication_group.sessions tls=false(read)
  subnet_group_name          = aws_elasticache_subnet_group.cache.name       # want-attr aws_elasticache_replication_group.sessions zone="terraform:./aws_subnet.private_b"(read)
  security_group_ids         = [aws_security_group.cache.id]
}

# No subnet group: the VPC of its security group is its zone.
resource "aws_elasticache_cluster" "memo" { # want-element aws_elasticache_cluster.memo store want-attr aws_elasticache_cluster.memo encrypted_at_rest=false(defaulted) tls_in_transit=false(defaulted) authenticated=false(defaulted)
  cluster_id         = "memo"
  engine             = "memcached" # want-attr aws_elasticache_cluster.memo technology="memcached"(read)
  node_type          = "cache.t3.micro"
  num_cache_nodes    = 1
  security_group_ids = [aws_security_group.memo.id] # want-attr aws_elasticache_cluster.memo zone="terraform:./aws_vpc.shop"(read)
}

resource "aws_sqs_queue" "orders" { # want-element aws_sqs_queue.orders store want-attr aws_sqs_queue.orders category="queue"(read) technology="sqs"(read) encrypted_at_rest=true(defaulted) kms_managed_key=false(defaulted)
  name = "orders"
}

resource "aws_sqs_queue" "dlq" { # want-element aws_sqs_queue.dlq store
  name              = "orders-dlq"
  kms_master_key_id = "alias/shop" # want-attr aws_sqs_queue.dlq encrypted_at_rest=true(read) kms_managed_key=true(read)
}

resource "aws_sqs_queue" "plain" { # want-element aws_sqs_queue.plain store
  name                    = "plain"
  sqs_managed_sse_enabled = false # want-attr aws_sqs_queue.plain encrypted_at_rest=false(read)
}

resource "aws_sns_topic" "events" { # want-element aws_sns_topic.events store want-attr aws_sns_topic.events category="queue"(read) technology="sns"(read) encrypted_at_rest=false(defaulted)
  name = "shop-events"
}

resource "aws_secretsmanager_secret" "api_key" { # want-element aws_secretsmanager_secret.api_key store want-attr aws_secretsmanager_secret.api_key category="secrets"(read) technology="secrets-manager"(read) encrypted_at_rest=true(defaulted) kms_managed_key=false(defaulted)
  name = "shop/api-key"
}

resource "aws_secretsmanager_secret_rotation" "api_key" { # want-attr aws_secretsmanager_secret.api_key rotation=true(read)
  secret_id           = aws_secretsmanager_secret.api_key.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
}

resource "aws_secretsmanager_secret" "db" { # want-element aws_secretsmanager_secret.db store want-attr aws_secretsmanager_secret.db rotation=false(defaulted)
  name       = "shop/db"
  kms_key_id = "alias/shop" # want-attr aws_secretsmanager_secret.db kms_managed_key=true(read)
}

resource "aws_dynamodb_table" "carts" { # want-element aws_dynamodb_table.carts store want-attr aws_dynamodb_table.carts category="database"(read) technology="dynamodb"(read)
  name                        = "carts"
  hash_key                    = "id"
  deletion_protection_enabled = true # want-attr aws_dynamodb_table.carts deletion_protection=true(read)

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true # want-attr aws_dynamodb_table.carts backup=true(read)
  }

  server_side_encryption {
    enabled     = true                                          # want-attr aws_dynamodb_table.carts encrypted_at_rest=true(read)
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/abc" # want-attr aws_dynamodb_table.carts kms_managed_key=true(read)
  }
}

# AWS encrypts every table with a key it owns.
resource "aws_dynamodb_table" "audit" { # want-element aws_dynamodb_table.audit store want-attr aws_dynamodb_table.audit encrypted_at_rest=true(defaulted) kms_managed_key=false(defaulted) backup=false(defaulted) deletion_protection=false(defaulted)
  name     = "audit"
  hash_key = "id"

  attribute {
    name = "id"
    type = "S"
  }
}

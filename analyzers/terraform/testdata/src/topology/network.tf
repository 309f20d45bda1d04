# A VPC with public subnets (their route table routes 0.0.0.0/0 to an internet gateway) and
# private ones (a NAT gateway, or no association: the main route table), security groups per
# tier, and the flows they admit between the elements in them (see compute.tf, stores.tf).

variable "vpc_id" {}

resource "aws_vpc" "shop" { # want-element aws_vpc.shop zone want-attr aws_vpc.shop technology="vpc"(read) trust="internal"(defaulted)
  cidr_block = "10.0.0.0/16"
}

# Gateways are no elements: they decide whether the subnets are public.
resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.shop.id
}

resource "aws_nat_gateway" "nat" {
  subnet_id     = aws_subnet.public_a.id
  allocation_id = "eipalloc-0123456789"
}

resource "aws_subnet" "public_a" { # want-element aws_subnet.public_a zone want-attr aws_subnet.public_a technology="subnet"(read)
  vpc_id     = aws_vpc.shop.id # want-attr aws_subnet.public_a parent="terraform:./aws_vpc.shop"(read)
  cidr_block = "10.0.1.0/24"
}

resource "aws_subnet" "public_b" { # want-element aws_subnet.public_b zone
  vpc_id     = aws_vpc.shop.id
  cidr_block = "10.0.2.0/24"
}

resource "aws_subnet" "private_a" { # want-element aws_subnet.private_a zone
  vpc_id     = aws_vpc.shop.id
  cidr_block = "10.0.11.0/24"
}

resource "aws_subnet" "private_b" { # want-element aws_subnet.private_b zone want-attr aws_subnet.private_b public=false(defaulted) trust="internal"(defaulted)
  vpc_id     = aws_vpc.shop.id
  cidr_block = "10.0.12.0/24"
}

resource "aws_subnet" "external" { # want-element aws_subnet.external zone want-attr aws_subnet.external trust="internal"(defaulted)
  vpc_id     = var.vpc_id # want-attr aws_subnet.external public=?(unknown)
  cidr_block = "10.9.0.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.shop.id
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id # want-attr aws_subnet.public_a public=true(read) trust="dmz"(read) want-attr aws_subnet.public_b public=true(read) trust="dmz"(read)
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.shop.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}

resource "aws_route_table_association" "public_a" {
  subnet_id      = aws_subnet.public_a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "public_b" {
  subnet_id      = aws_subnet.public_b.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id # want-attr aws_subnet.private_a public=false(read) trust="internal"(read)
}

# A second VPC whose main route table reaches the internet: its subnets are public without an
# association.
resource "aws_vpc" "legacy" { # want-element aws_vpc.legacy zone
  cidr_block = "172.16.0.0/16"
}

resource "aws_internet_gateway" "legacy" {
  vpc_id = aws_vpc.legacy.id
}

resource "aws_default_route_table" "legacy" {
  default_route_table_id = aws_vpc.legacy.default_route_table_id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.legacy.id # want-attr aws_subnet.legacy public=true(read) trust="dmz"(read)
  }
}

resource "aws_subnet" "legacy" { # want-element aws_subnet.legacy zone
  vpc_id     = aws_vpc.legacy.id # want-attr aws_subnet.legacy parent="terraform:./aws_vpc.legacy"(read)
  cidr_block = "172.16.1.0/24"
}

# Public IPs on launch make a subnet public even without a route to an internet gateway.
resource "aws_subnet" "mapped" { # want-element aws_subnet.mapped zone
  vpc_id                  = aws_vpc.shop.id
  cidr_block              = "10.0.30.0/24"
  map_public_ip_on_launch = true # want-attr aws_subnet.mapped public=true(read) trust="dmz"(read)
}

resource "aws_route_table_association" "mapped" {
  subnet_id      = aws_subnet.mapped.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "alb" { # want-element aws_security_group.alb zone
  vpc_id = aws_vpc.shop.id

  ingress { # want-element aws_security_group.alb.ingress[0] flow
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The load balancer reaches the service through this rule, but the service's load_balancer
# block is the flow: no second flow for it. Functions receive no connections.
resource "aws_security_group" "app" { # want-element aws_security_group.app zone
  vpc_id = aws_vpc.shop.id

  ingress { # want-element aws_security_group.app.ingress[0] flow
    protocol        = "tcp"
    from_port       = 8080
    to_port         = 8080
    security_groups = [aws_security_group.alb.id]
  }
}

resource "aws_security_group" "db" { # want-element aws_security_group.db zone
  vpc_id = aws_vpc.shop.id
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" { # want-element aws_vpc_security_group_ingress_rule.db_from_app flow want-element aws_ecs_service.api->aws_db_instance.orders flow want-element aws_lambda_function.orders_api->aws_db_instance.orders flow
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432 # want-attr aws_ecs_service.api->aws_db_instance.orders port=5432(read) protocol="postgres"(read) want-attr aws_lambda_function.orders_api->aws_db_instance.orders port=5432(read)
  to_port                      = 5432
}

resource "aws_security_group" "cache" { # want-element aws_security_group.cache zone
  vpc_id = aws_vpc.shop.id
}

resource "aws_security_group_rule" "cache_from_app" { # want-element aws_security_group_rule.cache_from_app flow want-element aws_ecs_service.api->aws_elasticache_replication_group.sessions flow want-element aws_lambda_function.orders_api->aws_elasticache_replication_group.sessions flow
  type                     = "ingress"
  security_group_id        = aws_security_group.cache.id
  source_security_group_id = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 6379 # want-attr aws_ecs_service.api->aws_elasticache_replication_group.sessions port=6379(read) protocol="redis"(read)
  to_port                  = 6379
}

resource "aws_security_group" "memo" { # want-element aws_security_group.memo zone
  vpc_id = aws_vpc.shop.id
}

resource "aws_security_group" "bastion" { # want-element aws_security_group.bastion zone
  vpc_id = aws_vpc.shop.id

  ingress { # want-element aws_security_group.bastion.ingress[0] flow
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"] # want-attr aws_instance.bastion internet_facing=true(read) want-attr aws_instance.legacy internet_facing=?(unknown)
  }
}

# The worker has no public IP: the rule does not make it internet-facing.
resource "aws_security_group" "worker" { # want-element aws_security_group.worker zone
  vpc_id = aws_vpc.shop.id

  ingress { # want-element aws_security_group.worker.ingress[0] flow
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

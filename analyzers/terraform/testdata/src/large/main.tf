# Terraform at large: modules, count, for_each, dynamic blocks, var files, functions, and
# references to other resources' arguments.

variable "env" {
  default = "dev"
}

variable "admin_cidrs" {
  type = list(string)
}

variable "create_audit" {
  default = true
}

locals {
  prefix = format("%s-%s", "shop", var.env)
  tags   = merge({ team = "payments" }, { env = var.env })
  ports  = concat([443], [8443])
  sizes  = { small = 10, large = 100 }
}

module "db" {
  source    = "./modules/db"
  encrypted = var.env == "prod"
  name      = "${local.prefix}-orders"
}

module "net" {
  source = "./modules/net"
}

resource "aws_vpc" "web" { # want-element aws_vpc.web zone
  cidr_block = "10.20.0.0/16"
}

resource "aws_security_group" "web" { # want-element aws_security_group.web zone
  vpc_id = aws_vpc.web.id

  # The VPC's own range is not the internet.
  ingress { # want-element aws_security_group.web.ingress[0] flow
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.web.cidr_block] # want-attr aws_security_group.web.ingress[0] from_internet=false(read) source_cidrs=["10.20.0.0/16"](read)
  }

  ingress { # want-element aws_security_group.web.ingress[1] flow
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [cidrsubnet(aws_vpc.web.cidr_block, 8, 3)] # want-attr aws_security_group.web.ingress[1] source_cidrs=["10.20.3.0/24"](read)
  }

  ingress { # want-element aws_security_group.web.ingress[2] flow
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [module.net.office] # want-attr aws_security_group.web.ingress[2] source_cidrs=["192.0.2.0/24"](read)
  }

  dynamic "ingress" { # want-element aws_security_group.web.ingress[3] flow want-element aws_security_group.web.ingress[4] flow want-element actor:internet actor
    for_each = local.ports
    iterator = port
    content {
      from_port   = port.value # want-attr aws_security_group.web.ingress[3] from_port=443(read) want-attr aws_security_group.web.ingress[4] from_port=8443(read)
      to_port     = port.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"] # want-attr aws_security_group.web.ingress[3] from_internet=true(read) want-attr aws_security_group.web.ingress[4] from_internet=true(read)
    }
  }

  dynamic "ingress" { # want-element aws_security_group.web.ingress[5] flow
    for_each = var.admin_cidrs
    content {
      from_port   = 3389
      to_port     = 3389
      protocol    = "tcp"
      cidr_blocks = [ingress.value] # want-attr aws_security_group.web.ingress[5] from_internet=?(unknown)
    }
  }
}

# for_each: one bucket per key, each with its own ACL.
resource "aws_s3_bucket" "site" { # want-element aws_s3_bucket.site["blog"] store want-element aws_s3_bucket.site["docs"] store
  for_each = { blog = "public-read", docs = "private" }
  bucket   = "${local.prefix}-${each.key}"
  acl      = each.value # want-attr aws_s3_bucket.site["blog"] public_acl=true(read) want-attr aws_s3_bucket.site["docs"] public_acl=false(read)
  tags     = local.tags # want-attr aws_s3_bucket.site["blog"] tags={"env":"prod","team":"payments"}(read)
}

# count = 0: not created.
resource "aws_s3_bucket" "audit" {
  count  = var.create_audit ? 0 : 1
  bucket = "audit"
}

# An empty for_each: not created.
resource "aws_ebs_volume" "none" {
  for_each          = toset([])
  availability_zone = "eu-west-1a"
}

# count = 1 stays one element.
resource "aws_ebs_volume" "data" { # want-element aws_ebs_volume.data store
  count             = 1
  availability_zone = "eu-west-1a"
  size              = lookup(local.sizes, "large", 5)
  encrypted         = var.env != "prod" # want-attr aws_ebs_volume.data encrypted_at_rest=false(read)
}

resource "aws_sqs_queue" "jobs" { # want-element aws_sqs_queue.jobs store
  name                    = module.db.name
  sqs_managed_sse_enabled = module.db.encrypted # want-attr aws_sqs_queue.jobs encrypted_at_rest=false(read)
}

module "store_a" {
  source    = "./modules/store"
  versioned = true
}

module "store_b" {
  source    = "./modules/store"
  versioned = false
}

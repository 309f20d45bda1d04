# Findings that depend on Terraform at large: references to other resources, module inputs,
# count and for_each.

variable "env" {
  default = "dev"
}

resource "aws_vpc" "main" { # want "CLOUD-NET-002"
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
}

# SSH from the VPC's own range: not the internet, no AWS-SG-001.
resource "aws_security_group_rule" "ssh_internal" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [aws_vpc.main.cidr_block]
}

# The module's database is unencrypted outside production.
module "orders" {
  source    = "./modules/db"
  encrypted = var.env == "prod"
}

# Not created in this environment: no finding.
resource "aws_s3_bucket" "legacy" {
  count  = var.env == "prod" ? 1 : 0
  bucket = "legacy-public"
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "site" {
  for_each                = aws_s3_bucket.site
  bucket                  = each.value.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# One bucket per key; each has its public access block (for_each over the buckets), which
# neutralises the blog's public ACL.
resource "aws_s3_bucket" "site" { # want "AWS-S3-004" "AWS-S3-004" "AWS-S3-005" "AWS-S3-005" "AWS-S3-006" "AWS-S3-006"
  for_each = { blog = "public-read", docs = "private" }
  bucket   = "shop-${each.key}"
  acl      = each.value
}

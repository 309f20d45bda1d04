# aws-shop: a small web shop on AWS — an application load balancer in front of an
# application tier, a PostgreSQL database, S3 buckets for product images, invoices and the
# product feed, and the IAM that ties them together.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project = "aws-shop"
    }
  }
}

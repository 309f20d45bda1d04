# EBS volumes and EFS file systems.

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

resource "aws_ebs_volume" "scratch" { # want "AWS-EBS-001"
  availability_zone = "eu-west-1a"
  size              = 50
}

resource "aws_ebs_volume" "legacy" {
  availability_zone = "eu-west-1b"
  size              = 20
  encrypted         = false # want "AWS-EBS-001"
}

resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
  encrypted      = true
}

resource "aws_efs_file_system" "media" { # want "AWS-EFS-001"
  creation_token = "media"
}

variable "home_encrypted" {
  type    = bool
  default = false
}

resource "aws_efs_file_system" "home" {
  creation_token = "home"
  encrypted      = var.home_encrypted # want "AWS-EFS-001"
}

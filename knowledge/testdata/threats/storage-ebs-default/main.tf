# EBS encryption by default is enabled in this module: volumes that say nothing are encrypted.
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_ebs_volume" "cache" {
  availability_zone = "eu-west-1a"
  size              = 10
}

# KMS keys.

resource "aws_kms_key" "data" {
  description         = "Customer data"
  enable_key_rotation = true
}

resource "aws_kms_key" "backups" { # want "AWS-KMS-001"
  description = "Backups"
}

resource "aws_kms_key" "tokens" {
  description         = "Session tokens"
  enable_key_rotation = false # want "AWS-KMS-001"
}

# Asymmetric keys cannot rotate automatically: not reported.
resource "aws_kms_key" "signing" {
  description              = "Order signing"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
}

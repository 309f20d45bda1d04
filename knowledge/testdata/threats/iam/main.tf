# IAM policies and attachments.

# Least privilege: explicit actions on explicit resources. No finding.
resource "aws_iam_policy" "uploader" {
  name = "uploader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:GetObject"]
      Resource = "arn:aws:s3:::shop-uploads/*"
    }]
  })
}

# A service wildcard on one bucket.
resource "aws_iam_policy" "s3_admin" {
  name = "s3-admin"
  policy = jsonencode({ # want "AWS-IAM-001"
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*"
      Resource = ["arn:aws:s3:::shop-data", "arn:aws:s3:::shop-data/*"]
    }]
  })
}

# Explicit actions on every resource, on a role.
resource "aws_iam_role_policy" "reader" {
  name = "reader"
  role = "app"
  policy = jsonencode({ # want "AWS-IAM-002"
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:Query"]
      Resource = "*"
    }]
  })
}

# A Deny statement with wildcards grants nothing (a JSON heredoc).
resource "aws_iam_group_policy" "deny_outside_eu" {
  name   = "deny-outside-eu"
  group  = "developers"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Deny",
          "Action": "*",
          "Resource": "*",
          "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}
        }
      ]
    }
  EOT
}

# Full administrator through a policy document, attached to a role: reported as wildcard
# actions and resources, but a role is not a user.
data "aws_iam_policy_document" "admin" {
  statement {         # want "AWS-IAM-002"
    actions   = ["*"] # want "AWS-IAM-001"
    resources = ["*"]
  }
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}

resource "aws_iam_role_policy_attachment" "ops_admin" {
  role       = "ops"
  policy_arn = aws_iam_policy.admin.arn
}

# The same module policy attached to a user.
resource "aws_iam_user_policy_attachment" "alice_admin" {
  user       = "alice"
  policy_arn = aws_iam_policy.admin.arn # want "AWS-IAM-003"
}

# AWS's AdministratorAccess attached to a user, directly and through aws_iam_policy_attachment.
resource "aws_iam_user_policy_attachment" "bob_admin" {
  user       = "bob"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # want "AWS-IAM-003"
}

resource "aws_iam_policy_attachment" "contractors_admin" {
  name       = "contractors-admin"
  users      = ["carol", "dave"]
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # want "AWS-IAM-003"
}

# A read-only managed policy attached to a user: not an administrator.
resource "aws_iam_user_policy_attachment" "erin_readonly" {
  user       = "erin"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# AdministratorAccess attached to a group: users get it through the group, which is the
# recommended path (still worth an MFA condition).
resource "aws_iam_group_policy_attachment" "admins" {
  group      = "admins"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# An inline user policy that allows everything.
resource "aws_iam_user_policy" "ci" {
  name = "ci-deploy"
  user = "ci"
  policy = jsonencode({ # want "AWS-IAM-001" "AWS-IAM-002" "AWS-IAM-003"
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

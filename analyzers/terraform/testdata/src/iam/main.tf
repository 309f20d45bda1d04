resource "aws_iam_policy" "admin" { # want-element aws_iam_policy.admin control want-attr aws_iam_policy.admin technology="iam"(read)
  name = "admin"
  policy = jsonencode({ # want-attr aws_iam_policy.admin wildcard_actions=true(read) wildcard_resources=true(read) admin=true(read)
    Version = "2012-10-17"
    Statement = [
      { Effect = "Deny", Action = "s3:*", Resource = "arn:aws:s3:::secret/*" },
      { Effect = "Allow", Action = ["*"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role_policy" "heredoc" { # want-element aws_iam_role_policy.heredoc control want-attr aws_iam_role_policy.heredoc attached_to="role"(read)
  role   = "app"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": {
        "Effect": "Allow",
        "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::bucket/*"]
      }
    }
  EOF
  # want-attr:-10 aws_iam_role_policy.heredoc wildcard_actions=true(read) wildcard_resources=false(read) admin=false(read)
}

data "aws_iam_policy_document" "read" { # want-element data.aws_iam_policy_document.read control want-attr data.aws_iam_policy_document.read in_scope=false(read) wildcard_actions=false(read) admin=false(read)
  statement {                           # want-attr data.aws_iam_policy_document.read wildcard_resources=true(read)
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

resource "aws_iam_user_policy" "doc" { # want-element aws_iam_user_policy.doc control want-attr aws_iam_user_policy.doc attached_to="user"(read)
  user   = "bob"
  policy = data.aws_iam_policy_document.read.json # want-attr aws_iam_user_policy.doc wildcard_actions=false(read) admin=false(read)
}

resource "aws_iam_user_policy_attachment" "admin" { # want-element aws_iam_user_policy_attachment.admin control want-attr aws_iam_user_policy_attachment.admin attached_to="user"(read)
  user       = "alice"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # want-attr aws_iam_user_policy_attachment.admin admin=true(read) policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"(read)
}

resource "aws_iam_role_policy_attachment" "custom" { # want-element aws_iam_role_policy_attachment.custom control want-attr aws_iam_role_policy_attachment.custom attached_to="role"(read) want-attr aws_iam_policy.admin attached_to="role"(read)
  role       = "app"
  policy_arn = aws_iam_policy.admin.arn # want-attr aws_iam_role_policy_attachment.custom admin=true(read) policy_arn=?(unknown)
}

variable "actions" {}

resource "aws_iam_group_policy" "unknown" { # want-element aws_iam_group_policy.unknown control
  group = "ops"
  policy = jsonencode({ # want-attr aws_iam_group_policy.unknown wildcard_actions=?(unknown) wildcard_resources=true(read)
    Statement = [{
      Effect   = "Allow"
      Action   = var.actions
      Resource = "*"
    }]
  })
}

# Listed actions on ARNs built by interpolation: nothing here can be "*", so nothing is
# uncertain; a resource given by a variable without a default could be "*".
resource "aws_s3_bucket" "assets" { # want-element aws_s3_bucket.assets store
  bucket = "assets"
}

variable "extra_resource" {
  type = string
}

resource "aws_iam_role_policy" "scoped" { # want-element aws_iam_role_policy.scoped control
  role = "app"
  policy = jsonencode({ # want-attr aws_iam_role_policy.scoped wildcard_actions=false(read) wildcard_resources=false(read) admin=false(read)
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = ["${aws_s3_bucket.assets.arn}/*", aws_s3_bucket.assets.arn]
    }]
  })
}

resource "aws_iam_role_policy" "open_ended" { # want-element aws_iam_role_policy.open_ended control
  role = "app"
  policy = jsonencode({ # want-attr aws_iam_role_policy.open_ended wildcard_actions=false(read) wildcard_resources=?(unknown) admin=?(unknown)
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = [var.extra_resource]
    }]
  })
}

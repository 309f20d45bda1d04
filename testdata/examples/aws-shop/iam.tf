# --- the application's role: least privilege ---

resource "aws_iam_role" "app" {
  name = "shop-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "shop-app"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${aws_s3_bucket.assets.arn}/*", "${aws_s3_bucket.invoices.arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.invoices.arn
      },
    ]
  })
}

# --- customer support: reads order exports ---

resource "aws_iam_policy" "support" {
  name = "shop-support"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_group" "support" {
  name = "support"
}

resource "aws_iam_group_policy_attachment" "support" {
  group      = aws_iam_group.support.name
  policy_arn = aws_iam_policy.support.arn
}

# --- the CI pipeline's deployment user ---

resource "aws_iam_user" "deploy" {
  name = "shop-deploy"
}

resource "aws_iam_user_policy_attachment" "deploy" {
  user       = aws_iam_user.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# threatls:ignore AWS-S3-001 public website assets
resource "aws_s3_bucket" "site" { # want-ignore AWS-S3-001 reason="public website assets" want-element aws_s3_bucket.site store
  bucket = "site"
  acl    = "public-read" # threatls:ignore AWS-S3-002
  # want-ignore:-1 AWS-S3-002
}

// threatls:ignore AWS-S3-003,AWS-S3-004 until=2026-12-31 reviewed by security
resource "aws_s3_bucket" "other" { # want-ignore AWS-S3-003 until=2026-12-31 reason="reviewed by security" want-ignore AWS-S3-004 until=2026-12-31 reason="reviewed by security" want-element aws_s3_bucket.other store
  bucket = "other"
}

resource "aws_security_group" "sg" { # want-element aws_security_group.sg zone want-element actor:internet actor
  # threatls:ignore AWS-NET-001 until=someday temporary
  # want-problem:-1 "until=someday is not a date"
  ingress { # want-ignore AWS-NET-001 reason="temporary" want-element aws_security_group.sg.ingress[0] flow
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# threatls:ignore
# want-problem:-1 "needs a threat ID"
# This comment mentions threatls:ignore in passing and is no suppression.

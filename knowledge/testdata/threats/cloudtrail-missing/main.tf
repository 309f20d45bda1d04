# A workspace with two providers and no trail at all: an account matter, reported once, on the
# primary provider; the alias no resource uses has none.
provider "aws" { # want "AWS-CT-001" "AWS-GD-001" "AWS-CFG-001" "AWS-IAA-001"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

# Another provider is not an AWS account.
provider "random" {}

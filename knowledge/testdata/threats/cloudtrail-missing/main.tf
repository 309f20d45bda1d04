# A workspace with two AWS accounts (providers) and no trail at all: reported on each provider.
provider "aws" { # want "AWS-CT-001"
  region = "eu-west-1"
}

provider "aws" { # want "AWS-CT-001"
  alias  = "us"
  region = "us-east-1"
}

# Another provider is not an AWS account.
provider "random" {}

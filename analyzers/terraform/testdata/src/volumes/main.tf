resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}

resource "aws_ebs_volume" "data" { # want-element aws_ebs_volume.data store want-attr aws_ebs_volume.data encrypted_at_rest=true(defaulted) kms_managed_key=false(defaulted)
  size = 10
}

resource "aws_efs_file_system" "fs" { # want-element aws_efs_file_system.fs store want-attr aws_efs_file_system.fs technology="efs"(read)
  encrypted  = false # want-attr aws_efs_file_system.fs encrypted_at_rest=false(read)
  kms_key_id = null  # comment, not a want
}

resource "aws_cloudtrail" "main" { # want-element aws_cloudtrail.main control want-attr aws_cloudtrail.main multi_region=false(defaulted) kms_managed_key=false(defaulted)
  name                       = "main"
  enable_log_file_validation = true # want-attr aws_cloudtrail.main log_validation=true(read)
}

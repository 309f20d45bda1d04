# The public access block of aws_s3_bucket.site goes here.

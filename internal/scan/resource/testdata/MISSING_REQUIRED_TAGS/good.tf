provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      MANAGED_BY  = "terraform"
      Project     = "SynthCore"
      CostCenter  = "Engineering"
      CreatedBy   = "Claude Code"
      CreatedDate = "2025-11-02"
    }
  }
}

locals {
  env = "development"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "synthcoreai-uploads"
  tags = {
    Environment = local.env
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "synthcoreai-jobs"
  tags = merge({ Environment = "production" }, {})
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

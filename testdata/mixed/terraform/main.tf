locals {
  prefix = "synthcoreai-${var.environment}"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "${local.prefix}-uploads"
  tags = {
    Environment = var.environment
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = false # iamguard:ignore S3_PUBLIC_ACCESS_BLOCK_DISABLED
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_iam_policy" "file_upload" {
  name = "SynthCoreAI-S3-FileUpload"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:GetObject"]
      Resource = "${aws_s3_bucket.uploads.arn}/*"
    }]
  })
  tags = {
    Environment = var.environment
  }
}

resource "aws_iam_policy" "ses" {
  name = "SynthCoreAI-SES-Everything"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}
      ]
    }
  EOT
  tags = {
    Environment = "staging"
  }
}

resource "aws_sqs_queue" "jobs" {
  name                    = "${local.prefix}-jobs"
  sqs_managed_sse_enabled = false
  tags = {
    Environment = var.environment
  }
}

# iamguard:ignore SG_OPEN_ADMIN_PORT bastion ingress is closed by the VPN firewall (NET-7)
resource "aws_security_group_rule" "bastion_ssh" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_s3_bucket" "uploads" {
  bucket = "synthcoreai-uploads"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/synthcoreai-s3"
    }
    bucket_key_enabled = true
  }
}

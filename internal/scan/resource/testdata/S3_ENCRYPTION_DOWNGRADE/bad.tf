resource "aws_s3_bucket" "uploads" {
  bucket = "engify-ai-uploads"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "NONE" # expect
    }
  }
}

resource "aws_s3_bucket" "site" {
  bucket = "engify-site"
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = false # expect
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

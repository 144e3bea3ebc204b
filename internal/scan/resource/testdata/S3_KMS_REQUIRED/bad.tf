resource "aws_s3_bucket" "uploads" { # expect
  bucket = "synthcoreai-uploads"
}

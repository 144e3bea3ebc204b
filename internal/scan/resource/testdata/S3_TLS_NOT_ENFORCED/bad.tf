resource "aws_s3_bucket" "uploads" { # expect
  bucket = "engify-ai-uploads"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "synthcoreai-uploads"
  tags = {
    CreatedDate = "2025-11-02"
  }
}

variable "environment" {
  default = "production"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "synthcoreai-uploads"
  tags = {
    Environment = var.environment
  }
}

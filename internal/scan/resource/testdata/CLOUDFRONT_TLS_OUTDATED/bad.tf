resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  viewer_certificate { # expect
    cloudfront_default_certificate = true
  }
}

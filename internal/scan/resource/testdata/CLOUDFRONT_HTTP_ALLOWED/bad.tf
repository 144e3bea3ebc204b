resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  origin {
    origin_id   = "app"
    domain_name = "app.engify.ai"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "http-only" # expect
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }
  default_cache_behavior {
    target_origin_id       = "app"
    viewer_protocol_policy = "allow-all" # expect
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
}

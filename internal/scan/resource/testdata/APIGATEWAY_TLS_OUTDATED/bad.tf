resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.engify.ai"
  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abcd"
  security_policy          = "TLS_1_0" # expect
}

resource "aws_cloudwatch_log_group" "rag" { # expect
  name              = "/aws/lambda/engify-rag"
  retention_in_days = 30
}

resource "aws_sns_topic" "alerts" { # expect
  name = "engify-alerts"
}

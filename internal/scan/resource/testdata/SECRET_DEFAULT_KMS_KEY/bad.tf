resource "aws_secretsmanager_secret" "mongodb_uri" { # expect
  name = "engify/mongodb-uri"
}

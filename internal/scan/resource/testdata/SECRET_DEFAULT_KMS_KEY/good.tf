resource "aws_kms_key" "secrets" {
  enable_key_rotation = true
}

resource "aws_secretsmanager_secret" "mongodb_uri" {
  name       = "engify/mongodb-uri"
  kms_key_id = aws_kms_key.secrets.arn
}

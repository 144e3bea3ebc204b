resource "aws_dynamodb_table" "sessions" {
  name         = "engify-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  server_side_encryption {
    enabled = true
  }
}

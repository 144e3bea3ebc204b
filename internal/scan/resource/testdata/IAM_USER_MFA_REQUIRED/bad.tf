resource "aws_iam_user" "operator" { # expect
  name = "synthcore-operator"
  tags = {
    Environment = "production"
  }
}

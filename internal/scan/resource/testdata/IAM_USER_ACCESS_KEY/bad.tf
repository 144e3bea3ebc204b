resource "aws_iam_user" "app" {
  name = "engify-app-user"
}

resource "aws_iam_access_key" "app" { # expect
  user = aws_iam_user.app.name
}

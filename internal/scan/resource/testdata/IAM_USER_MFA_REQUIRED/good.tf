resource "aws_iam_user" "operator" {
  name = "synthcore-operator"
  tags = {
    Environment = "production"
  }
}

resource "aws_iam_user_policy" "require_mfa" {
  name = "SynthCoreAI-IAM-RequireMFA"
  user = aws_iam_user.operator.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*MFADevice", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}

resource "aws_iam_user" "developer" {
  name = "synthcore-developer"
  tags = {
    Environment = "development"
  }
}

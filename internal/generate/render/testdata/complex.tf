data "aws_iam_policy_document" "engify_s3_useruploads" {
  statement {
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::engify-ai-uploads/users/$${aws:username}/*", "arn:aws:s3:::engify-ai-uploads/public/*"]
  }

  statement {
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::engify-ai-uploads"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["users/*", "public/*"]
    }
  }

  statement {
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["arn:aws:kms:us-east-1:123456789012:key/*"]

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "kms:ResourceAliases"
      values   = ["alias/engify-*"]
    }
  }
}

resource "aws_iam_policy" "engify_s3_useruploads" {
  name        = "Engify-S3-UserUploads"
  description = "Store user-uploaded files (RAG documents, etc.)"
  policy      = data.aws_iam_policy_document.engify_s3_useruploads.json
}

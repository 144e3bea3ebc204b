data "aws_iam_policy_document" "synthcoreai_s3_fileupload" {
  statement {
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["arn:aws:s3:::synthcoreai-*/*"]
  }
}

resource "aws_iam_policy" "synthcoreai_s3_fileupload" {
  name        = "SynthCoreAI-S3-FileUpload"
  description = "Upload files to S3 and read them back"
  policy      = data.aws_iam_policy_document.synthcoreai_s3_fileupload.json
}

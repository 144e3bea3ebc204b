# SynthCoreAI-S3-FileUpload
# Upload files to S3 and read them back
cat > SynthCoreAI-S3-FileUpload.json <<'EOF'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:PutObject",
        "s3:GetObject"
      ],
      "Resource": "arn:aws:s3:::synthcoreai-*/*"
    }
  ]
}
EOF

aws iam create-policy \
  --policy-name SynthCoreAI-S3-FileUpload \
  --policy-document file://SynthCoreAI-S3-FileUpload.json

aws iam attach-role-policy \
  --role-name <ROLE_NAME> \
  --policy-arn arn:aws:iam::<ACCOUNT_ID>:policy/SynthCoreAI-S3-FileUpload

# Engify-S3-UserUploads
# Store user-uploaded files (RAG documents, etc.)
cat > Engify-S3-UserUploads.json <<'EOF'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": [
        "arn:aws:s3:::engify-ai-uploads/users/${aws:username}/*",
        "arn:aws:s3:::engify-ai-uploads/public/*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket"
      ],
      "Resource": "arn:aws:s3:::engify-ai-uploads",
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "users/*",
            "public/*"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": [
        "kms:Decrypt"
      ],
      "Resource": "arn:aws:kms:us-east-1:123456789012:key/*",
      "Condition": {
        "ForAnyValue:StringLike": {
          "kms:ResourceAliases": "alias/engify-*"
        }
      }
    }
  ]
}
EOF

aws iam create-policy \
  --policy-name Engify-S3-UserUploads \
  --policy-document file://Engify-S3-UserUploads.json

aws iam attach-role-policy \
  --role-name engify-lambda-execution-role \
  --policy-arn arn:aws:iam::123456789012:policy/Engify-S3-UserUploads

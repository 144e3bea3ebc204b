# SynthCoreAI-S3-FileUpload
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

# Engify-S3-UserUploads
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
  --role-name <ROLE_NAME> \
  --policy-arn arn:aws:iam::<ACCOUNT_ID>:policy/Engify-S3-UserUploads

package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const bucket = "synthcoreai-reports"

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		log.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg)
	id := os.Args[1]
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(fmt.Sprintf("daily/%s.csv", id)),
	}); err != nil {
		log.Fatal(err)
	}
	_, _ = s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("daily/index.csv")})
	p := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("daily/")})
	_ = p

	up := manager.NewUploader(s3c)
	_, _ = up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("synthcoreai-exports"), Key: aws.String("full.csv")})

	sm := secretsmanager.NewFromConfig(cfg)
	_, _ = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("synthcoreai/db-url")})

	q := sqs.NewFromConfig(cfg)
	_, _ = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/123456789012/synthcoreai-jobs"), MessageBody: aws.String("x")})

	mail := sesv2.NewFromConfig(cfg)
	_, _ = mail.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("noreply@synthcoreai.com"), Content: &types.EmailContent{}})

	fn := lambda.NewFromConfig(cfg)
	in := &lambda.InvokeInput{FunctionName: aws.String(os.Getenv("FUNCTION"))}
	_, _ = fn.Invoke(ctx, in)
}

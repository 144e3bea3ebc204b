package worker

import (
	"context"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/dynamodb"
	"github.com/aws/aws-sdk-go/service/s3"
	"github.com/aws/aws-sdk-go/service/s3/s3manager"
)

const table = "synthcoreai-jobs"

// Run reads a job's input and records its result.
func Run(ctx context.Context, key string) error {
	sess := session.Must(session.NewSession(&aws.Config{Region: aws.String("eu-west-1")}))
	svc := s3.New(sess)
	if _, err := svc.GetObjectWithContext(ctx, &s3.GetObjectInput{Bucket: aws.String("synthcoreai-inputs"), Key: aws.String(key)}); err != nil {
		return err
	}
	db := dynamodb.New(sess)
	if _, err := db.PutItemWithContext(ctx, &dynamodb.PutItemInput{TableName: aws.String(table)}); err != nil {
		return err
	}
	up := s3manager.NewUploader(sess)
	_, err := up.UploadWithContext(ctx, &s3manager.UploadInput{Bucket: aws.String("synthcoreai-outputs"), Key: aws.String("results/" + key)})
	return err
}

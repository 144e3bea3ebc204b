// Package s3iface stands in for aws-sdk-go's client interface.
package s3iface

import (
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/s3"
)

// S3API is every operation of the client.
type S3API interface {
	GetObject(*s3.GetObjectInput) (*s3.GetObjectOutput, error)
	GetObjectWithContext(aws.Context, *s3.GetObjectInput, ...func(*s3.Request)) (*s3.GetObjectOutput, error)
	ListObjectsPages(*s3.ListObjectsInput, func(*s3.ListObjectsOutput, bool) bool) error
	PutObjectRequest(*s3.PutObjectInput) (*s3.Request, *s3.PutObjectOutput)
}

var _ S3API = (*s3.S3)(nil)

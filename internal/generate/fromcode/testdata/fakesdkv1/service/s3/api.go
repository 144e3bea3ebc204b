// Package s3 stands in for aws-sdk-go's S3 client: a client type returned
// by New, operations in the v1 variants, their inputs.
package s3

import "github.com/aws/aws-sdk-go/aws"

// S3 is the client.
type S3 struct{}

// New makes the client.
func New(p any) *S3 { return &S3{} }

type GetObjectInput struct{ Bucket, Key *string }
type GetObjectOutput struct{}
type ListObjectsInput struct{ Bucket, Prefix *string }
type ListObjectsOutput struct{}
type PutObjectInput struct{ Bucket, Key *string }
type PutObjectOutput struct{}

// Request is a request not yet sent.
type Request struct{}

// Send sends it.
func (r *Request) Send() error { return nil }

func (c *S3) GetObject(in *GetObjectInput) (*GetObjectOutput, error) { return nil, nil }

func (c *S3) GetObjectWithContext(ctx aws.Context, in *GetObjectInput, opts ...func(*Request)) (*GetObjectOutput, error) {
	return nil, nil
}

func (c *S3) ListObjectsPages(in *ListObjectsInput, fn func(*ListObjectsOutput, bool) bool) error {
	return nil
}

func (c *S3) PutObjectRequest(in *PutObjectInput) (*Request, *PutObjectOutput) { return nil, nil }

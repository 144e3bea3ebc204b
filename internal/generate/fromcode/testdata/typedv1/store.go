// Package store is the fixture of from-code's typed path for SDK v1: the
// client lives in struct fields, behind the SDK's own interface.
package store

import (
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/s3"
	"github.com/aws/aws-sdk-go/service/s3/s3iface"
	"github.com/aws/aws-sdk-go/service/s3/s3manager"
)

// Store holds its clients.
type Store struct {
	api s3iface.S3API
	raw *s3.S3
	up  *s3manager.Uploader
}

// Read goes through the interface.
func (s *Store) Read(ctx aws.Context, in *s3.GetObjectInput) error {
	_, err := s.api.GetObjectWithContext(ctx, in)
	return err
}

// List pages through a listing.
func (s *Store) List(in *s3.ListObjectsInput) error {
	return s.raw.ListObjectsPages(in, func(*s3.ListObjectsOutput, bool) bool { return true })
}

// Write prepares a request.
func (s *Store) Write(in *s3.PutObjectInput) error {
	req, _ := s.raw.PutObjectRequest(in)
	return req.Send()
}

// Upload uses the transfer manager.
func (s *Store) Upload(in *s3manager.UploadInput) error {
	_, err := s.up.Upload(in)
	return err
}

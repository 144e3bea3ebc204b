// Package aws stands in for aws-sdk-go's aws package.
package aws

import "context"

// Context is the SDK's context.
type Context = context.Context

// String returns a pointer to s.
func String(s string) *string { return &s }

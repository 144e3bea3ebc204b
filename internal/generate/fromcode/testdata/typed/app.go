// Package app is the fixture of from-code's typed path: its SDK clients
// live in struct fields and behind an interface declared in other files
// than the calls, so only type information ties the calls to a service.
package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is the part of the STS client the handler uses: an interface
// the SDK client implements.
type Identity interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// RoleReader has a method no SDK client has, so the SDK client does not
// implement it: calls through it are the implementation's business.
type RoleReader interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	Close() error
}

// Handler holds its clients in fields.
type Handler struct {
	iam   *iam.Client
	who   Identity
	roles RoleReader
}

// New makes a handler.
func New(cfg aws.Config, roles RoleReader) *Handler {
	return &Handler{iam: iam.NewFromConfig(cfg), who: sts.NewFromConfig(cfg), roles: roles}
}

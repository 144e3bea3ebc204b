package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"example.com/typedfixture/clients"
)

// Users: a client made in the file, which both paths see.
func Users(ctx context.Context, cfg aws.Config, in *iam.ListUsersInput) error {
	c := iam.NewFromConfig(cfg)
	if _, err := c.ListUsers(ctx, in); err != nil {
		return err
	}
	_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("deploy")})
	return err
}

// Policies: a client returned by a constructor of another package.
func Policies(ctx context.Context, cfg aws.Config, in *iam.ListPoliciesInput) error {
	pc := clients.IAM(cfg)
	_, err := pc.ListPolicies(ctx, in)
	return err
}

// wrapper is the project's own type with an SDK-like method: calling it is
// not an SDK call (the call inside it is).
type wrapper struct{ api *iam.Client }

func (w wrapper) GetRole(ctx context.Context, in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
	return w.api.GetRole(ctx, in)
}

// ViaWrapper calls the wrapper.
func ViaWrapper(ctx context.Context, w wrapper, name string) error {
	_, err := w.GetRole(ctx, roleInput(name))
	return err
}

// userStore is the project's own store, whose ListUsers is not IAM's.
type userStore struct{}

func (userStore) ListUsers(ctx context.Context, in *iam.ListUsersInput) error { return nil }

// LocalUsers names its store like the client of Users: the syntax path,
// matching variables by name, takes it for that client.
func LocalUsers(ctx context.Context) error {
	c := userStore{}
	return c.ListUsers(ctx, nil)
}

// Package jobs reaches its client through another package of the module.
package jobs

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"example.com/typedfixture/clients"
)

// Roles lists the account's roles.
func Roles(ctx context.Context, cfg aws.Config, in *iam.ListRolesInput) error {
	_, err := clients.IAM(cfg).ListRoles(ctx, in)
	return err
}

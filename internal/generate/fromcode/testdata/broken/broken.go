// Package broken does not compile: from-code reads it from the syntax.
package broken

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Broken returns a name that is not declared.
func Broken(ctx context.Context, cfg aws.Config) error {
	c := iam.NewFromConfig(cfg)
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	_ = err
	return notDeclared
}

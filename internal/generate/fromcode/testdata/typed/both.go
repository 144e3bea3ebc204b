package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const rolePrefix = "app-"

// Both makes its calls in the forms the syntax path reads; the typed path
// must report them alike.
func Both(ctx context.Context, tenant string, aliases *iam.ListAccountAliasesInput) error {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	if err != nil {
		return err
	}
	client := iam.NewFromConfig(cfg)
	if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(rolePrefix + tenant)}); err != nil {
		return err
	}
	tag := &iam.TagRoleInput{RoleName: aws.String(fmt.Sprintf("svc-%s", tenant))}
	if _, err := client.TagRole(ctx, tag); err != nil {
		return err
	}
	if _, err := client.ListAccountAliases(ctx, aliases); err != nil {
		return err
	}
	tokens := sts.NewFromConfig(cfg)
	_, err = tokens.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAEXAMPLE")})
	return err
}

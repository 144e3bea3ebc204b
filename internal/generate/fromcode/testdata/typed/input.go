package app

import "github.com/aws/aws-sdk-go-v2/service/iam"

// roleInput builds the input without a composite literal.
func roleInput(name string) *iam.GetRoleInput {
	in := new(iam.GetRoleInput)
	in.RoleName = &name
	return in
}

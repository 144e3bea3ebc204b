// Package clients makes the SDK clients of the fixture.
package clients

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAM makes the IAM client.
func IAM(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg) }

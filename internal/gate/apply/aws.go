package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cctypes "github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AWS applies changes for real with the AWS SDK. Credentials come from the
// standard chain (environment, shared config and credentials files, SSO,
// instance roles), with the environment's profile and region. Before any
// write it checks that the credentials belong to the environment's account
// when one is configured.
type AWS struct {
	// LoadOptions are added after the profile and region (tests pass static
	// credentials and an HTTP client).
	LoadOptions []func(*awsconfig.LoadOptions) error
	// BaseEndpoint, when set, sends every call to that URL instead of AWS
	// (tests point it at a local server).
	BaseEndpoint string
	// PollInterval is the wait between Cloud Control status checks when
	// AWS suggests none (default 2s); MaxWait bounds the whole wait
	// (default 30 minutes).
	PollInterval time.Duration
	MaxWait      time.Duration
}

// clients are the SDK clients of one apply.
type clients struct {
	iam  *iam.Client
	sts  *sts.Client
	cc   *cloudcontrol.Client
	want string // the account the environment names, "" for any
	poll time.Duration
	max  time.Duration
	// region is empty when no region is known (Cloud Control needs one).
	region string
	env    string
}

// Apply implements Applier.
func (a *AWS) Apply(ctx context.Context, req Request) (*Result, error) {
	steps, err := buildSteps(req, "")
	if err != nil {
		return nil, err
	}
	c, err := a.clients(ctx, req)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	st := &runState{}
	for _, s := range steps {
		res.Calls = append(res.Calls, s.call())
		if err := s.run(ctx, c, st); err != nil {
			return res, fmt.Errorf("%s: %w", s.api, err)
		}
	}
	res.Identifier, res.Status = st.identifier, st.status
	return res, nil
}

func (a *AWS) clients(ctx context.Context, req Request) (*clients, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if req.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(req.Profile))
	}
	if req.Region != "" {
		opts = append(opts, awsconfig.WithRegion(req.Region))
	}
	opts = append(opts, a.LoadOptions...)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration for environment %s: %w", req.Environment, err)
	}
	if a.BaseEndpoint != "" {
		cfg.BaseEndpoint = aws.String(a.BaseEndpoint)
	}
	region := cfg.Region
	// IAM and STS are global here: without a region they are signed for
	// us-east-1, where AWS serves them.
	global := cfg.Copy()
	if global.Region == "" {
		global.Region = "us-east-1"
	}
	c := &clients{
		iam:    iam.NewFromConfig(global),
		sts:    sts.NewFromConfig(global),
		cc:     cloudcontrol.NewFromConfig(cfg),
		want:   req.Account,
		poll:   a.PollInterval,
		max:    a.MaxWait,
		region: region,
		env:    req.Environment,
	}
	if c.poll <= 0 {
		c.poll = 2 * time.Second
	}
	if c.max <= 0 {
		c.max = 30 * time.Minute
	}
	return c, nil
}

func runCallerIdentity(ctx context.Context, c *clients, _ *runState) error {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	got := aws.ToString(out.Account)
	if c.want != "" && got != c.want {
		return fmt.Errorf("the credentials belong to account %s, but environment %s is account %s: nothing was changed", got, c.env, c.want)
	}
	return nil
}

func iamTags(tags []tag) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (c *clients) createPolicy(ctx context.Context, name, doc, path, desc string, tags []tag) (string, error) {
	out, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(doc),
		Path:           optional(path),
		Description:    optional(desc),
		Tags:           iamTags(tags),
	})
	if err != nil {
		return "", err
	}
	if out.Policy == nil || out.Policy.Arn == nil {
		return "", errors.New("CreatePolicy returned no policy ARN")
	}
	return *out.Policy.Arn, nil
}

func (c *clients) createRole(ctx context.Context, name, trust, path, desc, boundary string, maxSession int32, tags []tag) (string, error) {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		Path:                     optional(path),
		Description:              optional(desc),
		PermissionsBoundary:      optional(boundary),
		Tags:                     iamTags(tags),
	}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := c.iam.CreateRole(ctx, in)
	if err != nil {
		return "", err
	}
	if out.Role == nil {
		return "", errors.New("CreateRole returned no role")
	}
	return aws.ToString(out.Role.Arn), nil
}

func (c *clients) attachPolicy(ctx context.Context, api, who, arn string) error {
	var err error
	switch api {
	case "iam:AttachRolePolicy":
		_, err = c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(who), PolicyArn: aws.String(arn)})
	case "iam:AttachUserPolicy":
		_, err = c.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(who), PolicyArn: aws.String(arn)})
	case "iam:AttachGroupPolicy":
		_, err = c.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(who), PolicyArn: aws.String(arn)})
	default:
		err = fmt.Errorf("unknown attach call %s", api)
	}
	return err
}

func (c *clients) putPolicy(ctx context.Context, api, who, name, doc string) error {
	var err error
	switch api {
	case "iam:PutRolePolicy":
		_, err = c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(who), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	case "iam:PutUserPolicy":
		_, err = c.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(who), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	case "iam:PutGroupPolicy":
		_, err = c.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(who), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	default:
		err = fmt.Errorf("unknown put call %s", api)
	}
	return err
}

func (c *clients) needRegion() error {
	if c.region == "" {
		return fmt.Errorf("environment %s has no region: set environments.%s.region in the configuration, or AWS_REGION", c.env, c.env)
	}
	return nil
}

func (c *clients) ccCreate(ctx context.Context, st *runState, typeName, desired, token string) error {
	if err := c.needRegion(); err != nil {
		return err
	}
	out, err := c.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(typeName), DesiredState: aws.String(desired), ClientToken: aws.String(token)})
	if err != nil {
		return err
	}
	return st.progress(out.ProgressEvent)
}

func (c *clients) ccUpdate(ctx context.Context, st *runState, typeName, id, patch, token string) error {
	if err := c.needRegion(); err != nil {
		return err
	}
	out, err := c.cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id), PatchDocument: aws.String(patch), ClientToken: aws.String(token)})
	if err != nil {
		return err
	}
	return st.progress(out.ProgressEvent)
}

func (c *clients) ccDelete(ctx context.Context, st *runState, typeName, id, token string) error {
	if err := c.needRegion(); err != nil {
		return err
	}
	out, err := c.cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id), ClientToken: aws.String(token)})
	if err != nil {
		return err
	}
	return st.progress(out.ProgressEvent)
}

func (c *clients) ccGet(ctx context.Context, st *runState, typeName, id string) error {
	if err := c.needRegion(); err != nil {
		return err
	}
	out, err := c.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id)})
	if err != nil {
		return err
	}
	if out.ResourceDescription != nil {
		st.identifier = aws.ToString(out.ResourceDescription.Identifier)
	}
	st.status = "SUCCESS"
	return nil
}

// progress records a Cloud Control progress event.
func (st *runState) progress(ev *cctypes.ProgressEvent) error {
	if ev == nil {
		return errors.New("Cloud Control returned no progress event")
	}
	st.requestToken = aws.ToString(ev.RequestToken)
	if id := aws.ToString(ev.Identifier); id != "" {
		st.identifier = id
	}
	st.status = string(ev.OperationStatus)
	return failed(ev)
}

func failed(ev *cctypes.ProgressEvent) error {
	switch ev.OperationStatus {
	case cctypes.OperationStatusFailed, cctypes.OperationStatusCancelComplete:
		return fmt.Errorf("Cloud Control %s %s: %s (%s)", ev.Operation, ev.OperationStatus, aws.ToString(ev.StatusMessage), ev.ErrorCode)
	}
	return nil
}

// ccWait polls GetResourceRequestStatus until the request succeeds, fails
// or MaxWait passes, honouring the RetryAfter AWS suggests.
func (c *clients) ccWait(ctx context.Context, st *runState) error {
	if st.status == string(cctypes.OperationStatusSuccess) {
		return nil
	}
	if st.requestToken == "" {
		return errors.New("no Cloud Control request token to wait on")
	}
	deadline := time.Now().Add(c.max)
	wait := time.Duration(0)
	for {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		out, err := c.cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: aws.String(st.requestToken)})
		if err != nil {
			return err
		}
		if err := st.progress(out.ProgressEvent); err != nil {
			return err
		}
		if st.status == string(cctypes.OperationStatusSuccess) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("Cloud Control request %s still %s after %s", st.requestToken, st.status, c.max)
		}
		wait = c.poll
		if ra := out.ProgressEvent.RetryAfter; ra != nil {
			if d := time.Until(*ra); d > 0 && d < 5*time.Minute {
				wait = d
			}
		}
	}
}

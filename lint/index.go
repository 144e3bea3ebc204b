package lint

import (
	"strings"
	"sync"

	"github.com/iamguard/iamguard/catalog"
)

// catalogIndex is what the checks precompute from a catalog once: action
// sets by property, the privilege-escalation paths as action IDs, and which
// ARN services carry a region and an account.
type catalogIndex struct {
	cat *catalog.Catalog
	all catalog.ActionSet

	passRole        catalog.ActionID
	webIdentity     catalog.ActionID // sts:AssumeRoleWithWebIdentity, what an OIDC trust grants
	permissionsMgmt catalog.ActionSet
	readOrList      catalog.ActionSet
	resourceLevel   catalog.ActionSet // actions with at least one resource type
	// resourceLevelNotExempt: resourceLevel without wildcardExempt, what
	// RESOURCE_WILDCARD reports on "*".
	resourceLevelNotExempt catalog.ActionSet
	// credentialsResourceLevel: credentials ∩ resourceLevel.
	credentialsResourceLevel catalog.ActionSet
	notPermissionsMgmt       catalog.ActionSet // every action but permissionsMgmt
	starOnly                 catalog.ActionSet // actions without resource types ("*" only)
	anyService               catalog.ActionSet // actions with an ARN format whose service is a variable
	dataRead                 catalog.ActionSet
	credentials              catalog.ActionSet
	wildcardExempt           catalog.ActionSet // acceptable on "*" although they have resource types
	trustActions             catalog.ActionSet
	rcpServices              map[string]bool

	// typeActions: the actions acting on each type, built on first use
	// (only statements with wildcard actions need it).
	typeActions func() map[*catalog.ResourceType][]catalog.ActionID

	escalations []escalationPath
	// arnServices: per ARN service segment, what its ARN formats look
	// like, worked out the first time a policy names the service (a run
	// meets a few services; all of them would cost every run ~400 KB).
	arnServices sync.Map // string → *arnServiceInfo
}

// arnServiceInfo is what the ARN formats of one ARN service segment say.
type arnServiceInfo struct {
	known bool // some resource type has ARNs with this service segment
	shape arnServiceShape
	// typePrefixes: the literal resource-type words that start its
	// resource parts ("secret:", "log-group:", "table/").
	typePrefixes map[string]bool
	// templates: its first ARN templates in catalog order with the
	// partition filled in (INVALID_ARN_RESOURCE's fix).
	templates []string
}

// arnService returns the ARN format facts of service segment svc.
func (ix *catalogIndex) arnService(svc string) *arnServiceInfo {
	if v, ok := ix.arnServices.Load(svc); ok {
		return v.(*arnServiceInfo)
	}
	info := &arnServiceInfo{shape: arnServiceShape{regionAlways: true, regionNever: true, accountAlways: true, accountNever: true}}
	for _, s := range ix.cat.Services() {
		for _, rt := range s.ResourceTypes {
			for _, t := range rt.ARNTemplates {
				if rest, ok := strings.CutPrefix(t, "arn:${Partition}:"); ok && len(info.templates) < maxServiceTemplates {
					if tsvc, _, found := strings.Cut(rest, ":"); found && tsvc == svc {
						info.templates = append(info.templates, "arn:aws:"+rest)
					}
				}
				a := splitARN(t, 6)
				f := a.f[:a.n]
				if len(f) < 6 || f[2] != svc || strings.Contains(f[2], "${") {
					continue
				}
				info.known = true
				if i := strings.Index(f[5], "${"); i > 0 {
					if info.typePrefixes == nil {
						info.typePrefixes = map[string]bool{}
					}
					info.typePrefixes[f[5][:i]] = true
				}
				if f[3] == "" {
					info.shape.regionAlways = false
				} else {
					info.shape.regionNever = false
				}
				if f[4] == "" {
					info.shape.accountAlways = false
				} else {
					info.shape.accountNever = false
				}
			}
		}
	}
	if !info.known {
		// Not kept: svc comes from the policy, and a server must not
		// remember every misspelling it is sent.
		return info
	}
	v, _ := ix.arnServices.LoadOrStore(svc, info)
	return v.(*arnServiceInfo)
}

// maxServiceTemplates is how many templates serviceTemplates keeps per service.
const maxServiceTemplates = 4

// arnServiceShape says whether the ARN templates of one ARN service segment
// always or never have a region and an account.
type arnServiceShape struct {
	regionAlways, regionNever   bool
	accountAlways, accountNever bool
}

// escalationPath is one published privilege-escalation method: every step
// must be granted (a step is satisfied by any of its actions).
type escalationPath struct {
	name  string
	steps [][]catalog.ActionID
}

// defaultIndex is the embedded catalog's index, built on first use.
var defaultIndex = sync.OnceValue(func() *catalogIndex { return buildIndex(catalog.Default()) })

// indexFor returns the index of c: shared for the embedded catalog, built
// afresh for any other (tests, pinned data sets).
func indexFor(c *catalog.Catalog) *catalogIndex {
	if c == catalog.Default() {
		return defaultIndex()
	}
	return buildIndex(c)
}

// dataReadActions read the contents of data stores: what an attacker copies.
var dataReadActions = []string{
	"s3:GetObject", "s3:GetObjectVersion",
	"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue",
	"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory",
	"kms:Decrypt",
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
	"rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement",
}

// credentialActions return credentials, passwords or tokens of other
// identities or resources.
var credentialActions = []string{
	"iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
	"iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
	"ec2:GetPasswordData", "redshift:GetClusterCredentials", "redshift:GetClusterCredentialsWithIAM",
	"rds-db:connect", "lightsail:GetInstanceAccessDetails", "lightsail:GetRelationalDatabaseMasterUserPassword",
	"cognito-identity:GetCredentialsForIdentity", "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
	"sts:GetFederationToken", "sso:GetRoleCredentials", "ecr:GetAuthorizationToken",
	"codeartifact:GetAuthorizationToken", "gamelift:RequestUploadCredentials",
}

// wildcardExemptActions are acceptable on "Resource": "*" as least
// privilege although the reference lists resource types for them: SES's
// send actions (seed 001 calls ses:SendEmail + ses:SendRawEmail on "*" the
// CORRECT minimum; the resource is the sending identity, which callers pin
// with the ses:FromAddress condition rather than an ARN).
var wildcardExemptActions = []string{
	"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail",
	"ses:SendBulkEmail", "ses:SendCustomVerificationEmail",
}

// rcpServices are the services whose actions resource control policies support.
var rcpServiceList = []string{"s3", "sts", "sqs", "secretsmanager", "kms", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"}

// escalationMethods are the published privilege-escalation methods for AWS
// IAM (the classic IAM, Lambda, Glue, CloudFormation, EC2, Data Pipeline,
// SageMaker and CodeStar paths). Alternatives in one step are separated by '|'.
var escalationMethods = []struct {
	name  string
	steps []string
}{
	{"CreateNewPolicyVersion", []string{"iam:CreatePolicyVersion"}},
	{"SetExistingDefaultPolicyVersion", []string{"iam:SetDefaultPolicyVersion"}},
	{"CreateAccessKey", []string{"iam:CreateAccessKey"}},
	{"CreateLoginProfile", []string{"iam:CreateLoginProfile"}},
	{"UpdateLoginProfile", []string{"iam:UpdateLoginProfile"}},
	{"AttachUserPolicy", []string{"iam:AttachUserPolicy"}},
	{"AttachGroupPolicy", []string{"iam:AttachGroupPolicy"}},
	{"AttachRolePolicy", []string{"iam:AttachRolePolicy"}},
	{"PutUserPolicy", []string{"iam:PutUserPolicy"}},
	{"PutGroupPolicy", []string{"iam:PutGroupPolicy"}},
	{"PutRolePolicy", []string{"iam:PutRolePolicy"}},
	{"AddUserToGroup", []string{"iam:AddUserToGroup"}},
	{"UpdateRolePolicyToAssumeIt", []string{"iam:UpdateAssumeRolePolicy", "sts:AssumeRole"}},
	{"PassExistingRoleToNewEC2Instance", []string{"iam:PassRole", "ec2:RunInstances"}},
	{"PassExistingRoleToNewLambdaThenInvoke", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}},
	{"PassExistingRoleToNewLambdaThenTriggerWithNewDynamo", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"}},
	{"EditExistingLambdaFunctionWithRole", []string{"lambda:UpdateFunctionCode"}},
	{"PassExistingRoleToNewGlueDevEndpoint", []string{"iam:PassRole", "glue:CreateDevEndpoint"}},
	{"UpdateExistingGlueDevEndpoint", []string{"glue:UpdateDevEndpoint"}},
	{"PassExistingRoleToNewGlueJob", []string{"iam:PassRole", "glue:CreateJob", "glue:StartJobRun|glue:CreateTrigger"}},
	{"PassExistingRoleToCloudFormation", []string{"iam:PassRole", "cloudformation:CreateStack"}},
	{"PassExistingRoleToNewDataPipeline", []string{"iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"}},
	{"PassExistingRoleToNewSageMakerNotebook", []string{"iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"}},
	{"PassExistingRoleToNewCodeStarProject", []string{"iam:PassRole", "codestar:CreateProject"}},
	{"CreateCodeStarProjectFromTemplate", []string{"codestar:CreateProjectFromTemplate"}},
}

func buildIndex(c *catalog.Catalog) *catalogIndex {
	ix := &catalogIndex{cat: c, all: c.Match("*"), passRole: -1, webIdentity: -1}
	if id, ok := c.ActionID("iam:PassRole"); ok {
		ix.passRole = id
	}
	if id, ok := c.ActionID("sts:AssumeRoleWithWebIdentity"); ok {
		ix.webIdentity = id
	}
	// Resource types whose ARN formats name the service as a variable
	// (AWS Backup's recovery points): a handful, found once.
	var anyServiceTypes []*catalog.ResourceType
	for _, s := range c.Services() {
		for _, rt := range s.ResourceTypes {
			for _, t := range rt.ARNTemplates {
				if f := splitARN(t, 4); f.n < 4 || strings.Contains(f.f[2], "${") {
					anyServiceTypes = append(anyServiceTypes, rt)
					break
				}
			}
		}
	}
	// One pass over the catalog's action summaries fills the per-action
	// sets without decoding 456 services' actions.
	ix.permissionsMgmt = c.NewActionSet()
	ix.readOrList = c.NewActionSet()
	ix.resourceLevel = c.NewActionSet()
	for id := range catalog.ActionID(c.NumActions()) {
		sum := c.Summary(id)
		if sum.HasAccessLevel(catalog.PermissionsManagement) {
			ix.permissionsMgmt.Add(id)
		}
		// An action with several access levels is read-only only if all are.
		if sum.ReadOnly() {
			ix.readOrList.Add(id)
		}
		if sum.HasResourceType() {
			ix.resourceLevel.Add(id)
		}
	}
	// A resource type belongs to its own service, so only those services'
	// actions can name it.
	ix.anyService = c.NewActionSet()
	for _, rt := range anyServiceTypes {
		for _, a := range rt.Service.Actions() {
			for _, r := range a.Resources {
				if r.Type == rt {
					ix.anyService.Add(a.ID)
				}
			}
		}
	}
	ix.typeActions = sync.OnceValue(func() map[*catalog.ResourceType][]catalog.ActionID {
		m := map[*catalog.ResourceType][]catalog.ActionID{}
		for id := range c.NumActions() {
			a := c.ActionByID(catalog.ActionID(id))
			for _, r := range a.Resources {
				if r.Type != nil {
					m[r.Type] = append(m[r.Type], a.ID)
				}
			}
		}
		return m
	})
	ix.starOnly = ix.all.Difference(ix.resourceLevel)
	ix.dataRead = namedSet(c, dataReadActions)
	ix.credentials = namedSet(c, credentialActions)
	ix.wildcardExempt = namedSet(c, wildcardExemptActions)
	ix.resourceLevelNotExempt = ix.resourceLevel.Difference(ix.wildcardExempt)
	ix.credentialsResourceLevel = ix.credentials.Intersect(ix.resourceLevel)
	ix.notPermissionsMgmt = ix.all.Difference(ix.permissionsMgmt)
	ix.trustActions = c.Match("sts:AssumeRole*").Union(namedSet(c, []string{"sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"}))
	ix.rcpServices = map[string]bool{}
	for _, s := range rcpServiceList {
		ix.rcpServices[s] = true
	}
	for _, m := range escalationMethods {
		p := escalationPath{name: m.name}
		ok := true
		for _, step := range m.steps {
			var alts []catalog.ActionID
			for _, name := range strings.Split(step, "|") {
				if id, ok := c.ActionID(name); ok {
					alts = append(alts, id)
				}
			}
			if len(alts) == 0 {
				ok = false // the catalog no longer has the action: the path is gone
				break
			}
			p.steps = append(p.steps, alts)
		}
		if ok {
			ix.escalations = append(ix.escalations, p)
		}
	}
	return ix
}

func namedSet(c *catalog.Catalog, names []string) catalog.ActionSet {
	s := c.NewActionSet()
	for _, n := range names {
		if id, ok := c.ActionID(n); ok {
			s.Add(id)
		}
	}
	return s
}

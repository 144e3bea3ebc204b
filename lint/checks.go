package lint

import (
	"slices"
	"sync"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/policy"
)

// Check describes one finding code: what it means and how to fix it, in one
// line each, for documentation, help text and SARIF rule metadata.
type Check struct {
	Code     string
	Severity finding.Severity
	// Kinds are the policy kinds the check applies to; empty means all.
	Kinds []policy.Kind
	Why   string
	Fix   string
}

// AppliesTo reports whether the check runs on policies of kind k.
func (c Check) AppliesTo(k policy.Kind) bool {
	return len(c.Kinds) == 0 || slices.Contains(c.Kinds, k)
}

var (
	kindsIdentity     = []policy.Kind{policy.KindIdentity}
	kindsGrant        = []policy.Kind{policy.KindIdentity, policy.KindResource}
	kindsIdentityLike = []policy.Kind{policy.KindIdentity, policy.KindSession, policy.KindBoundary}
	kindsWithResource = []policy.Kind{policy.KindIdentity, policy.KindResource, policy.KindSCP, policy.KindRCP, policy.KindSession, policy.KindBoundary}
	kindsNeedResource = []policy.Kind{policy.KindIdentity, policy.KindResource, policy.KindRCP, policy.KindSession, policy.KindBoundary}
	kindsPrincipal    = []policy.Kind{policy.KindResource, policy.KindTrust, policy.KindRCP}
	kindsPublic       = []policy.Kind{policy.KindResource, policy.KindTrust}
	kindsAlnumSid     = []policy.Kind{policy.KindIdentity, policy.KindSCP, policy.KindSession, policy.KindBoundary}
	kindsTrust        = []policy.Kind{policy.KindTrust}
	kindsResource     = []policy.Kind{policy.KindResource}
	kindsSCP          = []policy.Kind{policy.KindSCP}
	kindsRCP          = []policy.Kind{policy.KindRCP}
)

const (
	sevE = finding.Error
	sevS = finding.Security
	sevW = finding.Warning
	sevG = finding.Suggestion
)

// checks is every check, grouped by severity. Codes follow IAM Access
// Analyzer's policy validation issue codes where it has an equivalent.
var checks = [...]Check{
	// Errors: IAM would reject the policy, or a part of it can never work.
	{"JSON_SYNTAX_ERROR", sevE, nil, "The file is not valid JSON or YAML, so IAM cannot read it and no other check can run.", "Fix the syntax at the reported line and column (usually a missing comma, quote or bracket)."},
	{policy.ProblemNotObject, sevE, nil, "A policy document must be a JSON object holding Version and Statement.", `Wrap the statements in {"Version": "2012-10-17", "Statement": [...]}.`},
	{policy.ProblemInvalidElement, sevE, nil, "IAM rejects elements it does not know, and element names are case-sensitive.", "Remove the element or correct its spelling (Version, Id, Statement; Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)."},
	{policy.ProblemTypeMismatch, sevE, nil, "An element has a JSON type IAM does not accept (a number or object where a string or list of strings belongs).", "Write the element as IAM expects it: a string, or an array of strings."},
	{policy.ProblemDuplicateKey, sevE, nil, "A key written twice in one object is ambiguous: readers keep different copies, so the policy may not mean what it says.", "Merge the two entries into one."},
	{policy.ProblemElementCombination, sevE, nil, "A statement may have Action or NotAction, Resource or NotResource, Principal or NotPrincipal, never both.", "Keep one element of the pair."},
	{policy.ProblemInvalidPrincipalKey, sevE, nil, "The principal types are AWS, Service, Federated and CanonicalUser, case-sensitive.", "Use one of the four principal types."},
	{"INVALID_VERSION", sevE, nil, `Version must be "2012-10-17" (or the obsolete "2008-10-17"); IAM rejects any other value.`, `Set "Version": "2012-10-17".`},
	{"MISSING_STATEMENT", sevE, nil, "A policy without statements grants and denies nothing, and IAM rejects it.", "Add a Statement array with at least one statement."},
	{"MISSING_EFFECT", sevE, nil, "Every statement needs an Effect.", `Add "Effect": "Allow" or "Effect": "Deny".`},
	{"INVALID_EFFECT", sevE, nil, "Effect is case-sensitive and can only be Allow or Deny.", `Write "Allow" or "Deny" exactly.`},
	{"MISSING_ACTION", sevE, nil, "Every statement needs Action or NotAction.", "Add an Action element listing the actions the statement is about."},
	{"MISSING_RESOURCE", sevE, kindsNeedResource, "Statements of identity, resource, RCP, session and boundary policies need Resource or NotResource.", "Add a Resource element naming the ARNs the statement is about."},
	{"MISSING_PRINCIPAL", sevE, kindsPrincipal, "Resource-based, trust and resource control policies must say whom a statement applies to.", `Add a Principal element, e.g. {"AWS": "arn:aws:iam::123456789012:role/name"} or {"Service": "lambda.amazonaws.com"}.`},
	{"UNSUPPORTED_PRINCIPAL", sevE, kindsIdentityLike, "Identity, session and boundary policies apply to the identity they are attached to; IAM rejects Principal and NotPrincipal in them.", "Remove Principal/NotPrincipal; to grant another principal access, use the resource's policy or a role trust policy."},
	{"SCP_SYNTAX_ERROR_PRINCIPAL", sevE, kindsSCP, "Service control policies apply to every principal of the accounts they are attached to; Principal and NotPrincipal are not supported.", "Remove Principal/NotPrincipal; use conditions such as aws:PrincipalArn to exempt principals."},
	{"RCP_SYNTAX_ERROR_PRINCIPAL", sevE, kindsRCP, `Resource control policies only accept "Principal": "*"; NotPrincipal and specific principals are not supported.`, `Write "Principal": "*" and narrow with conditions such as aws:PrincipalOrgID or aws:PrincipalAccount.`},
	{"RCP_SYNTAX_ERROR_ALLOW", sevE, kindsRCP, "Resource control policies only deny; Allow is reserved for the RCPFullAWSAccess policy AWS attaches.", `Write the statement as a Deny with conditions for the access that must be refused.`},
	{"RCP_UNSUPPORTED_SERVICE", sevE, kindsRCP, "Resource control policies only apply to the services that support them; actions of other services are rejected.", "Keep actions of supported services only (s3, sts, sqs, secretsmanager, kms, ecr, aoss, cognito-identity, logs, dynamodb)."},
	{"UNSUPPORTED_RESOURCE_IN_TRUST_POLICY", sevE, kindsTrust, "A role trust policy is about the role itself; IAM rejects Resource and NotResource in it.", "Remove the Resource/NotResource element."},
	{"UNSUPPORTED_ACTION_IN_POLICY", sevE, kindsTrust, "A role trust policy only grants taking on the role: sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity, sts:SetContext.", "Keep only STS assume-role actions; grant other permissions in the role's permission policies."},
	{"UNIQUE_SIDS_REQUIRED", sevE, nil, "Statement IDs must be unique within a policy.", "Rename one of the statements' Sid."},
	{"UNSUPPORTED_SID", sevE, kindsAlnumSid, "In identity policies and SCPs a Sid may only hold letters and digits.", "Remove spaces, dashes and other symbols from the Sid."},
	{"INVALID_SERVICE", sevE, nil, "The action names a service prefix that does not exist, so the statement never matches it.", "Correct the service prefix (see the closest real name in the message)."},
	{"INVALID_ACTION", sevE, nil, "The action does not exist in its service, so the statement never matches it.", "Use the closest real action named in the message, or remove it."},
	{"INVALID_ARN_PREFIX", sevE, kindsWithResource, `A resource must be "*" or an ARN starting with "arn:".`, `Write the full ARN, e.g. "arn:aws:s3:::bucket/*".`},
	{"MISSING_ARN_FIELD", sevE, kindsWithResource, "An ARN has six ':'-separated fields: arn:partition:service:region:account:resource.", "Add the missing fields (empty region or account are written as '::')."},
	{"INVALID_PARTITION", sevE, kindsWithResource, "The ARN's partition is not an AWS partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc).", `Use the partition of your accounts, usually "aws".`},
	{"INVALID_ARN_SERVICE_CASE", sevE, kindsWithResource, "Service names in ARNs are lower case and ARNs are matched case-sensitively.", "Write the service name in lower case."},
	{"INVALID_ARN_SERVICE", sevE, kindsWithResource, "No AWS resource type has ARNs with this service name, so the resource matches nothing.", "Correct the service name (the Service Authorization Reference lists every resource type's ARN)."},
	{"INVALID_ARN_REGION", sevE, kindsWithResource, "The ARN's region is not a region name such as us-east-1.", `Write a region name, "*", or leave the field empty where the service has no region.`},
	{"MISSING_ARN_REGION", sevE, kindsWithResource, "Every ARN of this service has a region; with an empty region the resource matches nothing.", `Put the region (or "*") in the ARN's fourth field.`},
	{"ARN_REGION_NOT_ALLOWED", sevE, kindsWithResource, "ARNs of this service have no region (e.g. S3 buckets, IAM); with one the resource matches nothing.", "Leave the region field empty ('::')."},
	{"INVALID_ARN_ACCOUNT", sevE, kindsWithResource, "The ARN's account is not a 12-digit account ID.", `Write the 12-digit account ID (or "*").`},
	{"ARN_ACCOUNT_NOT_ALLOWED", sevE, kindsWithResource, "ARNs of this service have no account ID (S3 bucket names are global); with one the resource matches nothing.", "Leave the account field empty ('::')."},
	{"INVALID_ARN_RESOURCE", sevE, kindsWithResource, "The ARN matches no resource type of its service, so the statement never applies to it.", "Write the resource part as the Service Authorization Reference's ARN format for the type (shown in the message)."},
	{"UNSUPPORTED_RESOURCE_ARN_IN_POLICY", sevE, kindsWithResource, "None of the statement's actions acts on this resource (for example s3:ListBucket on an object ARN), so it grants or denies nothing there.", "Use the ARN of the resource type the actions act on (shown in the message), or move the resource to a statement whose actions use it."},
	{"INVALID_CONDITION_OPERATOR", sevE, nil, "The condition operator does not exist; IAM rejects the policy.", "Use a real operator such as StringEquals, StringLike, ArnLike, NumericLessThan, DateGreaterThan, Bool, IpAddress or Null."},
	{"INVALID_GLOBAL_CONDITION_KEY", sevE, nil, "The aws: condition key does not exist, so the condition never sees a value.", "Correct the key name (see the closest real key in the message)."},
	{"INVALID_SERVICE_CONDITION_KEY", sevE, nil, "The service condition key does not exist, so the condition never sees a value.", "Correct the key name, or use a key the service defines."},
	{"NULL_WITH_IF_EXISTS", sevE, nil, "The Null operator already tests whether a key exists; NullIfExists is not an operator.", "Use Null."},
	{"VARIABLE_UNSUPPORTED_IN_VERSION", sevE, nil, `Policy variables such as ${aws:username} only work with Version "2012-10-17"; otherwise they are literal text.`, `Set "Version": "2012-10-17".`},
	{"VARIABLE_UNSUPPORTED_IN_ELEMENT", sevE, nil, "Policy variables work only in Resource, NotResource and condition values.", "Write the value literally, or move the variable into Resource or a condition."},
	{"TYPE_MISMATCH_DATE", sevE, nil, "A date condition value is not an ISO 8601 date or epoch seconds, so the condition never matches (a Deny silently stops denying).", `Write the date as "2025-11-02T00:00:00Z" or as epoch seconds.`},
	{"TYPE_MISMATCH_NUMBER", sevE, nil, "A numeric condition value is not a number, so the condition never matches (a Deny silently stops denying).", "Write the value as a number."},
	{"TYPE_MISMATCH_BOOL", sevE, nil, `A Bool or Null condition value is not "true" or "false", so the condition never matches.`, `Write "true" or "false".`},
	{"TYPE_MISMATCH_IP_RANGE", sevE, nil, "An IpAddress condition value is not an IPv4 or IPv6 address or CIDR range, so the condition never matches.", `Write an address or CIDR range such as "203.0.113.0/24".`},
	{"UNSUPPORTED_WILDCARD_IN_PRINCIPAL", sevE, kindsPrincipal, `Wildcards are not supported inside principal values; only the whole value "*" is.`, `Name the principal exactly, or use "*" with a condition such as aws:PrincipalArn (ArnLike) or aws:PrincipalOrgID.`},
	{"INVALID_PRINCIPAL_FORMAT", sevE, kindsPrincipal, `An AWS principal must be "*", a 12-digit account ID, or an IAM or STS ARN (root, user, role, assumed-role, federated-user).`, `Write the principal as "arn:aws:iam::123456789012:role/name" or "123456789012".`},
	{"INVALID_SERVICE_PRINCIPAL_FORMAT", sevE, kindsPrincipal, `A service principal is a service's DNS name such as "lambda.amazonaws.com".`, `Write the service principal in the form "service.amazonaws.com".`},
	{"FORBIDDEN_ACTION", sevE, kindsGrant, "The organisation's iamguard.yaml forbids granting this action.", "Remove the action, or ask for an exception recorded as a suppression with a reason."},

	// Security: the policy works, and lets someone do more than they should.
	{"FULL_ADMIN_ACCESS", sevS, kindsIdentity, `"Action": "*" on "Resource": "*" grants every action on every resource: full administrator access.`, "List the actions and resources the workload needs (iamguard generate can derive them from code or logs)."},
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", sevS, kindsIdentity, "iam:PassRole on every role lets the principal hand any role, including administrators, to a service it controls.", "Name the roles it may pass in Resource, or add an iam:PassedToService condition."},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", sevS, kindsIdentity, "A wildcard action on every resource includes iam:PassRole on every role.", "List the actions, and the roles iam:PassRole may pass."},
	{"PASS_ROLE_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE", sevS, kindsIdentity, "Allow with NotAction on every resource includes iam:PassRole on every role unless NotAction excludes it.", "Use Action with the actions needed, or add iam:PassRole to NotAction."},
	{"PASS_ROLE_WITH_NOT_RESOURCE", sevS, kindsIdentity, "iam:PassRole with NotResource allows passing every role except a few.", "Name the roles it may pass in Resource."},
	{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", sevS, kindsIdentity, "A wildcard action with NotResource includes iam:PassRole on almost every role.", "List the actions, and the roles iam:PassRole may pass."},
	{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", sevS, kindsIdentity, "Allow with NotAction and NotResource includes iam:PassRole on almost every role.", "Use Action and Resource with the actions and roles needed."},
	{"ALLOW_WITH_NOTPRINCIPAL", sevS, kindsPublic, "Allow with NotPrincipal grants access to every principal except those listed, including anonymous users.", "Use Principal with the principals that need access."},
	{"OIDC_TRUST_WITHOUT_SUBJECT", sevS, kindsTrust, "A role trusting GitHub's OIDC provider (token.actions.githubusercontent.com, or an enterprise's token.actions.githubusercontent.com/SLUG) for sts:AssumeRoleWithWebIdentity must check the provider's sub condition key (token.actions.githubusercontent.com:sub, or …/SLUG:sub) with values that pin an organisation and repository; otherwise workflows of any repository on GitHub, in any organisation, can assume the role. Only sub is accepted, as IAM's guidance names it (repository_owner or repository conditions are not).", `Add "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:ORG/REPO:ref:refs/heads/main"}, or StringLike with "repo:ORG/REPO:*", beside the aud condition.`},
	{"FORALLVALUES_WITH_SINGLE_VALUED_KEY", sevS, nil, "ForAllValues is true when the key is absent, and this key has a single value: the condition can be met by not sending it.", "Drop the ForAllValues: prefix for single-valued keys (or add a Null check that the key is present)."},
	{"PRIVILEGE_ESCALATION", sevS, kindsIdentity, "These actions together, unconstrained, let the principal raise its own privileges (e.g. write a new default policy version or pass an admin role to code it runs).", "Remove one action of the path, scope it to specific resources, or constrain it with conditions (iam:PassedToService, iam:PermissionsBoundary, aws:ResourceTag)."},
	{"PUBLIC_ACCESS", sevS, kindsPublic, `The statement grants access to "*" (anyone, in any account, or anonymous) with no condition that restricts it to accounts, an organisation, a network or a source.`, "Name the principals, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount, aws:SourceArn or aws:SourceVpce."},
	{"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", sevS, kindsResource, "A service principal acts for every AWS customer: without aws:SourceArn or aws:SourceAccount pinning your account, another account's resource can use the grant (confused deputy).", "Add aws:SourceAccount with your account ID, or aws:SourceArn with an ARN that names your account."},
	{"CREDENTIALS_EXPOSURE", sevS, kindsIdentity, "These actions return credentials or secrets for other identities (access keys, passwords, tokens) on every resource.", "Scope the actions to the specific users, instances or clusters that need them."},

	// Warnings: least privilege and correctness that IAM does not enforce.
	{"SERVICE_WILDCARD", sevW, kindsGrant, `"service:*" grants every action of the service, including deletes and permission changes.`, "List the actions the workload needs, e.g. ses:SendEmail and ses:SendRawEmail instead of ses:*."},
	{"RESOURCE_WILDCARD", sevW, kindsIdentity, "The statement grants actions that support resource-level permissions on every resource (or every resource of the service in every account).", "Name the resources, using the ARN pattern in the message with your account, region and name prefix."},
	{"DATA_EXFILTRATION", sevW, kindsIdentity, "Unconstrained read access to data stores (objects, secrets, parameters, tables, keys) lets a compromised principal copy all of it.", "Scope the actions to the buckets, secrets, parameters or tables the workload reads."},
	{"PERMISSIONS_MANAGEMENT", sevW, kindsIdentity, "Unconstrained permissions-management actions let the principal change who can access resources.", "Scope the actions to specific resources, or add conditions that limit them."},
	{"ALLOW_WITH_NOTACTION", sevW, kindsGrant, "Allow with NotAction grants every other action of every service, including ones AWS adds later.", "Use Action with the actions needed."},
	{"ALLOW_WITH_NOTRESOURCE", sevW, kindsGrant, "Allow with NotResource grants access to every other resource, including ones created later.", "Use Resource with the resources needed."},
	{"MISSING_VERSION", sevW, nil, `Without Version, IAM uses "2008-10-17", where policy variables are literal text.`, `Add "Version": "2012-10-17".`},
	{"WILDCARD_WITHOUT_LIKE_OPERATOR", sevW, nil, "StringEquals and ArnEquals compare literally: '*' and '?' are not wildcards there.", "Use StringLike or ArnLike for patterns."},
	{"TYPE_MISMATCH", sevW, nil, "The condition operator's type does not match the key's type (e.g. a date operator on a string key), so the comparison fails.", "Use an operator of the key's type (String*, Numeric*, Date*, Bool, IpAddress, Arn*)."},
	{"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", sevW, []policy.Kind{policy.KindIdentity, policy.KindBoundary}, "A managed policy holds at most 6,144 characters, whitespace excluded; IAM refuses a longer one.", "Split the policy, or shorten it with action wildcards such as s3:Get* where they stay least-privilege."},
	{"POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA", sevW, kindsTrust, "A role trust policy holds at most 2,048 characters by default (4,096 on request), whitespace excluded.", "Shorten the trust policy, or request a quota increase."},
	{"POLICY_SIZE_EXCEEDS_SCP_QUOTA", sevW, kindsSCP, "A service control policy holds at most 5,120 characters, whitespace included.", "Split the SCP, or remove whitespace."},
	{"POLICY_SIZE_EXCEEDS_RCP_QUOTA", sevW, kindsRCP, "A resource control policy holds at most 5,120 characters, whitespace included.", "Split the RCP, or remove whitespace."},
	{"POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA", sevW, []policy.Kind{policy.KindSession}, "A session policy holds at most 2,048 characters, whitespace excluded.", "Shorten the session policy, or pass managed policy ARNs instead."},
	{"POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", sevW, kindsResource, "Resource policies hold at most 20,480 characters for S3, Lambda and Secrets Manager (less for SQS and SNS).", "Split the grants across principals, or shorten the policy."},
	{"NAMING_CONVENTION", sevW, []policy.Kind{policy.KindIdentity, policy.KindBoundary}, "Policy names follow the organisation's naming pattern (default {Project}-{Service}-{Actions}), and {Service} names the policy's service.", "Rename the policy, e.g. SynthCoreAI-SES-SendOnly."},
	{"NAME_ACCESS_MISMATCH", sevW, kindsGrant, "The policy name's Actions word promises less than the policy grants (a ReadOnly policy that writes, a SendOnly policy that does more).", "Remove the actions that break the promise, or rename the policy."},
	{"RESOURCE_OUTSIDE_SCOPE", sevW, kindsGrant, "The resource is outside the resource scopes the organisation allows in iamguard.yaml.", "Use a resource inside one of the configured scope.resources patterns."},

	// Suggestions: the policy works, and could be simpler.
	{"REDUNDANT_ACTION", sevG, nil, "Another action in the same statement already covers this one.", "Remove the redundant action."},
	{"REDUNDANT_RESOURCE", sevG, nil, "Another resource in the same statement already covers this one.", "Remove the redundant resource."},
	{"REDUNDANT_STATEMENT", sevG, nil, "Another statement already grants or denies everything this one does.", "Remove the redundant statement."},
	{"EMPTY_ARRAY_ACTION", sevG, nil, "An empty Action list matches nothing.", "List actions, or remove the statement."},
	{"EMPTY_ARRAY_NOT_ACTION", sevG, nil, "An empty NotAction list excludes nothing.", "List the excluded actions, or use Action."},
	{"EMPTY_ARRAY_RESOURCE", sevG, nil, "An empty Resource list matches nothing.", "List resources, or remove the statement."},
	{"EMPTY_ARRAY_NOT_RESOURCE", sevG, nil, "An empty NotResource list excludes nothing.", "List the excluded resources, or use Resource."},
	{"EMPTY_ARRAY_PRINCIPAL", sevG, nil, "An empty principal list matches nobody.", "List principals, or remove the entry."},
	{"EMPTY_OBJECT_PRINCIPAL", sevG, nil, "An empty Principal object matches nobody.", "Name principals, or remove the element."},
	{"EMPTY_ARRAY_CONDITION", sevG, nil, "A condition key with no values never matches.", "Give the key values, or remove it."},
	{"EMPTY_OBJECT_CONDITION", sevG, nil, "An empty Condition (or operator) object has no effect.", "Remove it, or add the condition you meant."},
	{"EMPTY_SID_VALUE", sevG, nil, "An empty Sid names nothing.", "Give the statement a descriptive Sid, or remove the element."},
}

// Checks returns every check the linter runs, in documentation order.
func Checks() []Check { return slices.Clone(checks[:]) }

var checkIndex = sync.OnceValue(func() map[string]*Check {
	m := make(map[string]*Check, len(checks))
	for i := range checks {
		m[checks[i].Code] = &checks[i]
	}
	return m
})

// Lookup returns the check for a code.
func Lookup(code string) (Check, bool) {
	c, ok := checkIndex()[code]
	if !ok {
		return Check{}, false
	}
	return *c, true
}

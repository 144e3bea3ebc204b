package mcpserver

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/internal/service"
)

func addPolicyTools(s *mcp.Server, caller *callers, svc *service.Service, readOnly func(string) *mcp.ToolAnnotations) {
	tool(s, &mcp.Tool{
		Name:        "lint_policy",
		Annotations: readOnly("Lint an IAM policy"),
		Description: `Check one IAM policy (identity, resource, trust, SCP, RCP, session or boundary) the way a security reviewer would, offline: grammar errors IAM would reject, unknown actions, resources and condition keys, privilege escalation and data exposure, wildcards that break least privilege, and the organisation's rules (naming convention such as SynthCoreAI-S3-FileUpload, resource scopes, forbidden actions).

Call it before proposing or changing any policy, and again after every fix. Send the policy as JSON text or as the object itself; give name when the policy has one (the naming convention is checked against it).

Returns findings (code, severity, message, line, column, JSON path, and a concrete fix), a summary by severity, and passed (false when a finding at or above failOn is not suppressed). Next: apply the fixes and lint again until passed; text that is not JSON or YAML is an error naming line:column.`,
	}, caller, svc.LintPolicy)

	tool(s, &mcp.Tool{
		Name:        "simulate_access",
		Annotations: readOnly("Decide a request as AWS would"),
		Description: `Decide whether a principal may call an action on a resource, as AWS's policy evaluation would, offline: identity policies, the resource's policy (bucket, trust or key policy), permissions boundary, SCPs and RCPs per level, session policy, within one account or across two.

Call it to check that a policy allows what the workload needs (and nothing near it), or to predict an "Access Denied". The scenario is {request: {principal, action, resource, context?}, identityPolicies: [...], resourcePolicy?, permissionsBoundary?, serviceControlPolicies?, ...}; one action per call (expand a pattern with list_actions first).

Example scenario: {"request": {"principal": "arn:aws:iam::123456789012:role/engify-lambda-execution-role", "action": "secretsmanager:GetSecretValue", "resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"}, "identityPolicies": [{"name": "Engify-Lambda-Execution", "document": {...}}]}

Returns the decision (allowed, explicitDeny, implicitDeny), a one-line summary, the decisive statement, and for a denial the fixes. Next: for a denial, call explain_access_denied for the full reasoning.`,
	}, caller, svc.Simulate)

	tool(s, &mcp.Tool{
		Name:        "explain_access_denied",
		Annotations: readOnly("Explain why access is denied"),
		Description: `Explain in plain words why a request is allowed or denied and what to change: every evaluation step (explicit denies, RCPs, SCPs level by level, resource policy, identity policies, boundary, session policy), every statement with whether it applied and, if not, which of action, resource, principal or condition failed with the values compared; the smallest statement to add (and to which policy) or the Deny that blocks; and the usual "Access Denied" checks (a resource ARN that almost matches: region, account, case, a missing Secrets Manager suffix; a missing trust policy).

Call it when a user reports "Access Denied" or simulate_access says denied. Takes the same scenario as simulate_access. Next: apply the fix, then confirm with simulate_access.`,
	}, caller, svc.Explain)

	tool(s, &mcp.Tool{
		Name:        "suggest_policy",
		Annotations: readOnly("Suggest a least-privilege policy"),
		Description: `Write the smallest IAM policy for a need in words ("send email with SES", "upload files to S3", "read secrets under engify/"): the actions from a curated capability catalog or the Service Authorization Reference, resources scoped to the organisation's prefixes, named by the naming convention, linted, and proved with the evaluation engine (it allows each needed request and denies its neighbours).

Call it instead of writing a policy by hand. Give resources to pin exact ARNs. Returns policyName, document, explanation, warnings, findings and proof; format renders it as iam, terraform, cloudformation, cli or text too. Next: show the policy and explanation; to create it, plan_change an AWS::IAM::ManagedPolicy with it.`,
	}, caller, svc.SuggestPolicy)

	tool(s, &mcp.Tool{
		Name:        "extend_policy",
		Annotations: readOnly("Extend the current policies"),
		Description: `The policy extension workflow: given the policies already attached to a principal and what it needs now ("I need to add file upload to S3", or exact actions), decide each needed request with the evaluation engine, report which are already allowed (and by which statement) and which are missing, and propose a policy for the missing ones only: named by convention, linted and proved.

Call it when the user wants new functionality for a role or user that already has policies, instead of rewriting them. Send every attached policy in current (name and document). Returns alreadyAllowed, missing, and the proposed policy (document null when nothing is missing). Next: test the proposal in development (plan_change in dev), then promote the same policy to production.`,
	}, caller, svc.ExtendPolicy)

	tool(s, &mcp.Tool{
		Name:        "policy_from_code",
		Annotations: readOnly("Derive a policy from code"),
		Description: `Derive the least-privilege IAM policy that code needs from its AWS SDK calls (Go, TypeScript/JavaScript, Python): each call maps to its IAM actions, resources come from literal names and ARNs (else the organisation's prefixes), KMS companions are added where a customer managed key is used.

Call it when the user asks what permissions their code needs, before deploying a Lambda or service role. Send the source files as {path, content} (or a path under the server's --root). Returns the policy, the evidence (file and line behind every action) and warnings (calls whose resource was not literal). Next: review the warnings, then lint_policy or plan_change.`,
	}, caller, svc.PolicyFromCode)

	tool(s, &mcp.Tool{
		Name:        "list_actions",
		Annotations: readOnly("Look up AWS actions"),
		Description: `Look up AWS IAM actions in the embedded Service Authorization Reference: which actions a pattern matches (s3:Get*, secretsmanager:*, *:Describe*), each with its access level (List, Read, Write, Permissions management, Tagging), resource types and their ARN formats, condition keys, dependent actions and description.

Call it to check an action name exists (a misspelt name returns the closest real action), to pick the exact actions instead of a wildcard, or to find the ARN format of a resource. Returns actions sorted by name, total and truncated (raise limit or narrow the pattern).`,
	}, caller, svc.ListActions)
}

func addScanTools(s *mcp.Server, caller *callers, svc *service.Service, readOnly func(string) *mcp.ToolAnnotations) {
	tool(s, &mcp.Tool{
		Name:        "scan_resources",
		Annotations: readOnly("Scan infrastructure code"),
		Description: `Scan infrastructure code for security problems before it is deployed: CloudFormation (JSON/YAML), Terraform (.tf), plans (terraform show -json) and Cloud Control documents ({TypeName, DesiredState}) are checked for encryption at rest and in transit, required tags, exposure to the internet and IAM users, and every IAM policy written inside them is linted where it is written.

Call it on templates the user writes or you generate. Send the files as {path, content}, or a path under the server's --root. Returns findings with file, line, column and fix; passed is false when one at or above failOn is not suppressed; errors lists malformed files (the rest was scanned). Next: fix and scan again; to create or change a resource in AWS use plan_change.`,
	}, caller, svc.ScanResources)

	tool(s, &mcp.Tool{
		Name:        "scan_secrets",
		Annotations: readOnly("Scan for hardcoded secrets"),
		Description: `Search files for hardcoded secrets: AWS access keys and secret keys, private keys, SendGrid, Twilio, Stripe, GitHub, Slack and npm tokens, database URIs with passwords, NextAuth secrets, secret-looking values in .env files. Secrets are never returned in full: messages show them redacted.

Call it on code before it is committed or shared, and on any file the user pastes that might hold credentials. Send files as {path, content}, or a path under the server's --root. Next: remove each secret, rotate it, and read it at run time from AWS Secrets Manager instead.`,
	}, caller, svc.ScanSecrets)
}

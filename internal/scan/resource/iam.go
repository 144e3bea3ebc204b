package resource

import (
	"strings"

	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

// IAM users in templates (policies inside templates are linted by the
// linter itself; see package scan).
func iamRules() []Rule {
	return []Rule{
		{
			Code: "IAM_USER_ACCESS_KEY", Severity: "warning",
			Why:   "Access keys are long-lived credentials that leak through code, logs and laptops; roles give workloads temporary credentials instead.",
			Fix:   "Give the workload an IAM role (Lambda, ECS task or EC2 instance profile) or use IAM Identity Center; if a key is unavoidable, keep it in Secrets Manager and rotate it.",
			check: checkAccessKey,
		},
		{
			Code: "IAM_USER_MFA_REQUIRED", Severity: "security",
			Why:    "Production access requires MFA: a production IAM user needs an MFA device, or a policy that denies everything without aws:MultiFactorAuthPresent.",
			Fix:    `Create an AWS::IAM::VirtualMFADevice for the user, or attach a statement {"Effect": "Deny", "NotAction": ["iam:*MFADevice", "sts:GetSessionToken"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}.`,
			Config: "mfa.requireForProduction, environments",
			check:  checkUserMFA,
		},
	}
}

func checkAccessKey(c *checker, r *iac.Resource) {
	if is(r, "AWS::IAM::AccessKey", "aws_iam_access_key") {
		if st, ok := iac.String(r.Get(pick(r, "Status", "status"))); ok && st == "Inactive" {
			return
		}
		c.report(r, nil, "", describe(r)+": creates a long-lived access key for an IAM user", "")
	}
}

func checkUserMFA(c *checker, r *iac.Resource) {
	if !c.s.cfg.MFA.RequireForProduction || !is(r, "AWS::IAM::User", "aws_iam_user") {
		return
	}
	if !c.isProduction(r) {
		return
	}
	for _, ch := range r.Children {
		if ch.Type == "AWS::IAM::VirtualMFADevice" {
			return
		}
		if ch.SourceType == "aws_iam_user_policy" && deniesWithoutMFA(iac.PolicyDocument(ch.Get("policy"))) {
			return
		}
	}
	for _, p := range r.Lookup("Policies[].PolicyDocument") {
		if deniesWithoutMFA(iac.PolicyDocument(p.Node)) {
			return
		}
	}
	c.report(r, nil, "", describe(r)+": production IAM user has no MFA device and no policy that requires MFA", "")
}

// isProduction: the resource's Environment tag, or any tag or parameter
// default of its template, names a production environment.
func (c *checker) isProduction(r *iac.Resource) bool {
	if tag := r.Tags.Get("Environment"); tag != nil && tag.ValueKnown {
		return c.s.prodTags[strings.ToLower(tag.Value)]
	}
	if r.Template == nil {
		return false
	}
	for _, name := range []string{"Environment", "Env", "Stage"} {
		if s, ok := iac.String(r.Template.Params[name]); ok && c.s.prodTags[strings.ToLower(s)] {
			return true
		}
	}
	for _, other := range r.Template.Resources {
		if tag := other.Tags.Get("Environment"); tag != nil && tag.ValueKnown && c.s.prodTags[strings.ToLower(tag.Value)] {
			return true
		}
	}
	return false
}

func deniesWithoutMFA(doc *node.Node) bool {
	if doc == nil {
		return false
	}
	for _, st := range statements(doc) {
		if eff, _ := iac.String(st.Get("Effect")); eff != "Deny" {
			continue
		}
		cond := st.Get("Condition")
		if cond == nil {
			continue
		}
		for _, op := range cond.Fields {
			for _, kv := range op.Value.Fields {
				if strings.EqualFold(kv.Key, "aws:MultiFactorAuthPresent") {
					for _, v := range scalars(kv.Value) {
						if strings.EqualFold(v, "false") {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

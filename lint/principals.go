package lint

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/policy"
)

// awsPrincipalRE is compiled on first use, not at process start.
var awsPrincipalRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\*|[0-9]{12}|arn:aws[a-z-]*:iam::([0-9]{12}|cloudfront):(root|user/.+|role/.+)|arn:aws[a-z-]*:sts::[0-9]{12}:(assumed-role|federated-user)/.+|A[A-Z0-9]{15,127})$`)
})

// isServicePrincipal: dot-separated labels of [a-z0-9-], at least two
// ("lambda.amazonaws.com").
func isServicePrincipal(s string) bool {
	labels := 0
	for {
		label, rest, more := strings.Cut(s, ".")
		if label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
		labels++
		if !more {
			return labels >= 2
		}
		s = rest
	}
}

// restrictingKeys are condition keys that, with a positive operator and a
// concrete value, restrict a grant to accounts, an organisation, a network
// or a source (lower case).
var restrictingKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:principalarn": true, "aws:userid": true, "aws:principalisawsservice": true, "aws:principalservicename": true,
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceowner": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true,
	"kms:calleraccount": true, "s3:dataaccesspointaccount": true, "s3:dataaccesspointarn": true,
}

// sourceKeys are what pins a service principal's grant to a source.
var sourceKeys = map[string]bool{
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceowner": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
}

// positiveOperator: the condition holds only for the listed values.
func positiveOperator(op string) bool {
	base := strings.TrimSuffix(op, "IfExists")
	if i := strings.IndexByte(base, ':'); i >= 0 {
		if !strings.EqualFold(base[:i], "ForAnyValue") {
			return false // ForAllValues holds when the key is absent
		}
		base = base[i+1:]
	}
	if strings.Contains(base, "Not") || base == "Null" {
		return false
	}
	return !strings.HasSuffix(op, "IfExists") // IfExists holds when the key is absent
}

// conditionValues yields the entries of positive operators on keys in set.
func (si *stmtInfo) restrictions(keys map[string]bool) []*policy.ConditionEntry {
	if si.s.Condition == nil {
		return nil
	}
	var out []*policy.ConditionEntry
	for bi := range si.s.Condition.Blocks {
		b := &si.s.Condition.Blocks[bi]
		if !positiveOperator(b.Operator.Text) {
			continue
		}
		for ei := range b.Entries {
			e := &b.Entries[ei]
			if !keys[strings.ToLower(e.Key.Text)] {
				continue
			}
			concrete := false
			for _, v := range e.Values.Values {
				if strings.Trim(v.Text, "*?") != "" {
					concrete = true
				}
			}
			if concrete {
				out = append(out, e)
			}
		}
	}
	return out
}

func (ps *pass) checkPrincipals(si *stmtInfo) {
	s := si.s
	for _, pr := range []*policy.Principal{s.Principal, s.NotPrincipal} {
		if pr == nil {
			continue
		}
		for i := range pr.Entries {
			e := &pr.Entries[i]
			for j := range e.Values.Values {
				ps.checkPrincipalValue(e.Type, &e.Values.Values[j])
			}
		}
	}
	if !si.allow {
		return
	}
	if s.NotPrincipal != nil {
		ps.report("ALLOW_WITH_NOTPRINCIPAL", s.NotPrincipal.Pos, s.NotPrincipal.Path, "Allow with NotPrincipal grants access to everyone except the principals listed, anonymous users included", "")
	}
	if s.Principal != nil {
		ps.checkPublic(si)
		ps.checkServicePrincipals(si)
		ps.checkGitHubOIDC(si)
	}
}

func (ps *pass) checkPrincipalValue(typ string, v *policy.Value) {
	text := v.Text
	if text != "*" && hasWildcard(text) || text == "*" && typ != "AWS" {
		ps.reportAt("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v, fmt.Sprintf("wildcards are not supported in %s principal values (%q)", typ, text), "")
		return
	}
	switch typ {
	case "AWS":
		if !awsPrincipalRE().MatchString(text) && !strings.Contains(text, "${") {
			ps.reportAt("INVALID_PRINCIPAL_FORMAT", v, fmt.Sprintf("%q is not an account ID or an IAM/STS principal ARN", text), "")
		}
	case "Service":
		if !isServicePrincipal(text) {
			fix := ""
			if lower := strings.ToLower(text); isServicePrincipal(lower) {
				fix = fmt.Sprintf("Write %q.", lower)
			} else if !strings.Contains(text, ".") && isServicePrincipal(lower+".amazonaws.com") {
				fix = fmt.Sprintf("Write %q.", lower+".amazonaws.com")
			}
			ps.reportAt("INVALID_SERVICE_PRINCIPAL_FORMAT", v, fmt.Sprintf("%q is not a service principal such as \"lambda.amazonaws.com\"", text), fix)
		}
	}
}

// publicValue returns the principal value that makes the grant public.
func publicValue(pr *policy.Principal) (policy.Pos, string, bool) {
	if pr.Wildcard {
		return pr.Pos, pr.Path, true
	}
	for i := range pr.Entries {
		e := &pr.Entries[i]
		if e.Type != "AWS" {
			continue
		}
		for j := range e.Values.Values {
			if e.Values.Values[j].Text == "*" {
				return e.Values.Values[j].Pos, e.Values.Values[j].Path, true
			}
		}
	}
	return policy.Pos{}, "", false
}

func (ps *pass) checkPublic(si *stmtInfo) {
	pos, path, public := publicValue(si.s.Principal)
	if !public || len(si.restrictions(restrictingKeys)) > 0 || !ps.enabled("PUBLIC_ACCESS") {
		return
	}
	acct := ps.l.cfg.Scope.Account
	if acct == "" {
		acct = "123456789012"
	}
	what := "access"
	if el := si.actionsElement(); el != nil && len(el.Values) > 0 {
		what = strings.Join(el.Texts(), ", ")
	}
	fix := fmt.Sprintf(`Name the principals, or add "Condition": {"StringEquals": {"aws:PrincipalAccount": "%s"}} (or aws:PrincipalOrgID).`, acct)
	ps.report("PUBLIC_ACCESS", pos, path, fmt.Sprintf(`the statement grants %s to "*": any principal in any account, or anonymous, with no condition restricting it`, what), fix)
}

// checkServicePrincipals: a service principal needs aws:SourceArn or
// aws:SourceAccount whose values pin an account.
func (ps *pass) checkServicePrincipals(si *stmtInfo) {
	if !ps.enabled("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL") {
		return
	}
	var svc *policy.Value
	for i := range si.s.Principal.Entries {
		e := &si.s.Principal.Entries[i]
		if e.Type == "Service" && len(e.Values.Values) > 0 {
			svc = &e.Values.Values[0]
			break
		}
	}
	if svc == nil {
		return
	}
	acct := ps.l.cfg.Scope.Account
	acctText := acct
	if acctText == "" {
		acctText = "<account-id>"
	}
	entries := si.restrictions(sourceKeys)
	if len(entries) == 0 {
		ps.reportAt("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", svc, fmt.Sprintf("%s is granted access without aws:SourceArn or aws:SourceAccount: any AWS account's %s resources can use this grant", svc.Text, strings.SplitN(svc.Text, ".", 2)[0]),
			fmt.Sprintf(`Add "Condition": {"StringEquals": {"aws:SourceAccount": "%s"}}, or aws:SourceArn with the ARN of your source resource.`, acctText))
		return
	}
	// Conditions are ANDed: one key that pins an account is enough.
	var loose *policy.Value
	for _, e := range entries {
		pinned := true
		for j := range e.Values.Values {
			v := &e.Values.Values[j]
			if !pinsAccount(strings.ToLower(e.Key.Text), v.Text) {
				pinned = false
				if loose == nil {
					loose = v
				}
			}
		}
		if pinned {
			return
		}
	}
	if loose == nil {
		return
	}
	fix := fmt.Sprintf(`Add "StringEquals": {"aws:SourceAccount": "%s"}.`, acctText)
	if a := strings.SplitN(loose.Text, ":", 6); len(a) == 6 && strings.HasPrefix(loose.Text, "arn:") {
		a[4] = acctText
		if r := ps.l.cfg.Scope.Region; r != "" && a[3] == "*" {
			a[3] = r
		}
		fix = fmt.Sprintf(`Pin your account in the ARN, e.g. %q, or add "StringEquals": {"aws:SourceAccount": "%s"}.`, strings.Join(a, ":"), acctText)
	}
	ps.reportAt("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", loose, fmt.Sprintf("%q pins no account: %s resources of any AWS account match it", loose.Text, strings.SplitN(svc.Text, ".", 2)[0]), fix)
}

// pinsAccount reports whether a source condition value names one account
// (or one globally unique resource such as an S3 bucket).
func pinsAccount(key, v string) bool {
	switch key {
	case "aws:sourceaccount", "aws:sourceowner":
		return isAccountID(v)
	case "aws:sourceorgid", "aws:sourceorgpaths":
		return !hasWildcard(strings.TrimRight(v, "*/"))
	}
	f := strings.SplitN(v, ":", 6)
	if len(f) < 6 {
		return false
	}
	if isAccountID(f[4]) {
		return true
	}
	if f[2] == "s3" && f[4] == "" {
		bucket, _, _ := strings.Cut(f[5], "/")
		return bucket != "" && !hasWildcard(bucket)
	}
	return false
}

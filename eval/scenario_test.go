package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

const validRequest = `request:
  principal: arn:aws:iam::123456789012:user/alice
  action: s3:GetObject
  resource: arn:aws:s3:::engify-ai-uploads/a.txt
`

// TestScenarioErrors checks that every kind of bad scenario is an error
// naming file:line:col, never a panic or a silent default.
func TestScenarioErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		want string // substring of the error, including its position
	}{
		{"not yaml", "request: [\n", "bad.yaml:"},
		{"not an object", "- 1\n", "bad.yaml:1:1: a scenario is an object"},
		{"unknown top-level field", validRequest + "identityPolicy: {}\n", `bad.yaml:5:1: unknown scenario field "identityPolicy"`},
		{"field case", validRequest + "IdentityPolicies: []\n", `did you mean "identityPolicies"`},
		{"unknown request field", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  actions: s3:GetObject\n  resource: '*'\n", `bad.yaml:3:3: unknown request field "actions"`},
		{"missing request", "identityPolicies: []\n", "the scenario has no request"},
		{"missing action", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  resource: '*'\n", "bad.yaml:2:3: request has no action"},
		{"malformed principal", "request:\n  principal: alice\n  action: s3:GetObject\n  resource: '*'\n", "bad.yaml:2:14: principal:"},
		{"malformed resource", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  action: s3:GetObject\n  resource: engify-ai-uploads/a.txt\n", "bad.yaml:4:13: resource:"},
		{"unknown action", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  action: s3:GetObjekt\n  resource: '*'\n", "bad.yaml:3:11: action:"},
		{"wildcard action", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  action: s3:Get*\n  resource: '*'\n", "has a wildcard"},
		{"context object value", validRequest + "  context:\n    aws:SourceIp: {a: b}\n", "bad.yaml:6:19: request.context.aws:SourceIp must be a string"},
		{"unknown operator", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement:\n      - Effect: Allow\n        Action: s3:GetObject\n        Resource: '*'\n        Condition: {StringEqualz: {aws:username: alice}}\n", `bad.yaml:11:21: unknown condition operator "StringEqualz"`},
		{"bad date value", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: '*', Condition: {DateLessThan: {aws:CurrentTime: tomorrow}}}]\n", `"tomorrow" is not a date`},
		{"bad cidr", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: '*', Condition: {IpAddress: {aws:SourceIp: 300.1.1.1/8}}}]\n", "is not an IP address or CIDR block"},
		{"malformed resource ARN in policy", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: 'arn:aws:s3'}]\n", "bad.yaml:7:56: resource \"arn:aws:s3\" is not an ARN"},
		{"resource not an ARN", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: 'engify/*'}]\n", `resource "engify/*" is neither an ARN nor "*"`},
		{"bad effect", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: allow, Action: '*', Resource: '*'}]\n", `Effect "allow"`},
		{"principal in identity policy", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Principal: '*', Action: '*', Resource: '*'}]\n", "cannot name a Principal"},
		{"resource policy without principal", validRequest + "resourcePolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}\n", "needs Principal"},
		{"principal by name", validRequest + "resourcePolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {AWS: alice}, Action: '*', Resource: '*'}]}\n", `AWS principal "alice" is not an account ID`},
		{"wildcard principal ARN", validRequest + "resourcePolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {AWS: 'arn:aws:iam::123456789012:role/*'}, Action: '*', Resource: '*'}]}\n", "wildcards are not allowed in principal ARNs"},
		{"policy grammar problem", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: '*', Resources: '*'}]\n", "bad.yaml:7:"},
		{"two resource policies", validRequest + "resourcePolicy: {Version: '2012-10-17', Statement: []}\ntrustPolicy: {Version: '2012-10-17', Statement: []}\n", "resourcePolicy and trustPolicy are both"},
		{"bad expect", validRequest + "expect: yes\n", `expect "yes"`},
		{"bad version", validRequest + "identityPolicies: [{Version: '2012-10-18', Statement: []}]\n", `Version "2012-10-18"`},
		{"null with if exists", validRequest + "identityPolicies:\n  - Version: '2012-10-17'\n    Statement: [{Effect: Allow, Action: '*', Resource: '*', Condition: {NullIfExists: {aws:TokenIssueTime: 'true'}}}]\n", "Null takes neither IfExists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseScenario("bad.yaml", []byte(tc.src))
			if err == nil {
				ps, cerr := Compile(s.Policies)
				if cerr == nil {
					t.Fatalf("no error; compiled %v", ps != nil)
				}
				err = cerr
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, tc.want)
			}
			var se *node.SyntaxError
			var el ErrorList
			if !errors.As(err, &se) && !errors.As(err, &el) {
				t.Errorf("error is %T, want *node.SyntaxError or ErrorList", err)
			}
		})
	}
}

func TestScenarioFields(t *testing.T) {
	t.Parallel()
	src := `{"name": "n", "request": {"principal": "lambda.amazonaws.com", "action": "lambda:InvokeFunction",
  "resource": "arn:aws:lambda:us-east-1:123456789012:function:engify-rag", "resourceAccount": "123456789012",
  "context": {"aws:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:x/y", "aws:TagKeys": ["a", "b"], "n": 5},
  "principalTags": {"team": "rag"}, "resourceTags": {"Project": "Engify"}},
  "serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
  "resourceControlPolicies": [[], []]}`
	s, err := ParseScenario("s.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Policies.SCPs); got != 1 {
		t.Errorf("a flat SCP list is one level; got %d levels", got)
	}
	if got := len(s.Policies.RCPs); got != 2 {
		t.Errorf("RCP levels: got %d, want 2", got)
	}
	if got := s.Request.Context["aws:TagKeys"]; len(got) != 2 {
		t.Errorf("aws:TagKeys = %q", got)
	}
	if got := s.Request.Context["n"]; len(got) != 1 || got[0] != "5" {
		t.Errorf("a number context value is its text: %q", got)
	}
	p := s.Prepared()
	for key, want := range map[string]string{
		"aws:principaltag/team":     "rag",
		"aws:resourcetag/project":   "Engify",
		"aws:principalisawsservice": "true",
		"aws:principalservicename":  "lambda.amazonaws.com",
		"aws:resourceaccount":       "123456789012",
		"aws:requestedregion":       "us-east-1",
		"aws:sourcearn":             "arn:aws:execute-api:us-east-1:123456789012:x/y",
	} {
		if got, ok := p.variable(key); !ok || got != want {
			t.Errorf("%s = %q (%v), want %q", key, got, ok, want)
		}
	}
}

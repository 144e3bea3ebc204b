package policy_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// problemString renders a problem as "CODE line:col path" for comparisons.
func problemString(p policy.Problem) string {
	return fmt.Sprintf("%s %d:%d %s", p.Code, p.Pos.Line, p.Pos.Column, p.Path)
}

func problemStrings(ps []policy.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = problemString(p)
	}
	return out
}

// stmt wraps statement members in a policy with the statement at line 3.
func stmt(members string) string {
	return "{\n\"Version\": \"2012-10-17\",\n\"Statement\": [{" + members + "}]\n}"
}

// manyKeys renders n condition members "k0": "v", "k1": "v", ….
func manyKeys(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"k%d": "v"`, i)
	}
	return strings.Join(parts, ", ")
}

func TestDecodeProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string // "CODE line:col path"
		// wantMessage, when set, must appear in the first problem's message.
		wantMessage string
	}{
		{"document is an array", `[{"Effect":"Allow"}]`,
			[]string{"POLICY_NOT_OBJECT 1:1 "}, "must be a JSON object"},
		{"document is a string", `"s3:GetObject"`,
			[]string{"POLICY_NOT_OBJECT 1:1 "}, ""},
		{"bare statement at the top (the seed's WRONG example)", "{\n  \"Effect\": \"Allow\",\n  \"Action\": \"ses:*\",\n  \"Resource\": \"*\"\n}",
			[]string{"INVALID_POLICY_ELEMENT 2:3 Effect", "INVALID_POLICY_ELEMENT 3:3 Action", "INVALID_POLICY_ELEMENT 4:3 Resource"}, "belongs inside a statement"},
		{"wrong-case top-level element", "{\"version\": \"2012-10-17\", \"Statement\": []}",
			[]string{"INVALID_POLICY_ELEMENT 1:2 version"}, `did you mean "Version"?`},
		{"unknown top-level element", "{\"Version\": \"2012-10-17\", \"PolicyName\": \"SynthCoreAI-S3-FileUpload\", \"Statement\": []}",
			[]string{"INVALID_POLICY_ELEMENT 1:27 PolicyName"}, "a policy has only Version, Id and Statement"},
		{"Version is a number", `{"Version": 2012, "Statement": []}`,
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 1:13 Version"}, "Version must be a string, not a number"},
		{"Id is an object", `{"Id": {}, "Statement": []}`,
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 1:8 Id"}, ""},
		{"duplicate top-level key", "{\"Version\": \"2012-10-17\",\n\"Version\": \"2008-10-17\", \"Statement\": []}",
			[]string{"DUPLICATE_KEY 2:1 Version"}, `duplicate key "Version"`},
		{"Statement is a string", `{"Statement": "Allow"}`,
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 1:15 Statement"}, "Statement must be an object or an array"},
		{"statement element is not an object", "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n  \"s3:PutObject\"\n]}",
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:3 Statement[1]"}, "each statement must be an object"},
		{"wrong-case statement element", stmt(`"Effect": "Allow", "action": "s3:GetObject", "Resource": "*"`),
			[]string{"INVALID_POLICY_ELEMENT 3:35 Statement[0].action"}, `did you mean "Action"?`},
		{"unknown statement element", stmt(`"Effect": "Allow", "Actions": ["s3:GetObject"], "Resource": "*"`),
			[]string{"INVALID_POLICY_ELEMENT 3:35 Statement[0].Actions"}, "unknown statement element"},
		{"Version inside a statement", stmt(`"Version": "2012-10-17", "Effect": "Allow"`),
			[]string{"INVALID_POLICY_ELEMENT 3:16 Statement[0].Version"}, "belongs at the top"},
		{"duplicate key in a statement", stmt(`"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"`),
			[]string{"DUPLICATE_KEY 3:35 Statement[0].Effect"}, ""},
		{"Effect is a boolean", stmt(`"Effect": true, "Action": "*", "Resource": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:26 Statement[0].Effect"}, "Effect must be a string, not a boolean"},
		{"Sid is a number", stmt(`"Sid": 1, "Effect": "Allow", "Action": "*", "Resource": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:23 Statement[0].Sid"}, ""},
		{"Action is a number", stmt(`"Effect": "Allow", "Action": 5, "Resource": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:45 Statement[0].Action"}, "Action must be a string or an array of strings"},
		{"Action array holds a non-string", stmt(`"Effect": "Allow", "Action": ["s3:GetObject", null], "Resource": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:62 Statement[0].Action[1]"}, "each value of Action must be a string, not null"},
		{"Resource is an object", stmt(`"Effect": "Allow", "Action": "*", "Resource": {"arn": "*"}`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:62 Statement[0].Resource"}, ""},
		{"NotResource array holds an array", stmt(`"Effect": "Deny", "Action": "*", "NotResource": [["a"]]`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:65 Statement[0].NotResource[0]"}, ""},
		{"Action with NotAction", stmt(`"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:DeleteBucket", "Resource": "*"`),
			[]string{"UNSUPPORTED_ELEMENT_COMBINATION 3:53 Statement[0].NotAction"}, `both "Action" and "NotAction"`},
		{"Resource with NotResource", stmt(`"Effect": "Allow", "Action": "*", "NotResource": "a", "Resource": "b"`),
			[]string{"UNSUPPORTED_ELEMENT_COMBINATION 3:70 Statement[0].Resource"}, ""},
		{"Principal with NotPrincipal", stmt(`"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "*"`),
			[]string{"UNSUPPORTED_ELEMENT_COMBINATION 3:52 Statement[0].NotPrincipal"}, ""},
		{"Principal is an ARN string", stmt(`"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:root", "Action": "sts:AssumeRole"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:48 Statement[0].Principal"}, `{"AWS": "arn:aws:iam::111122223333:root"}`},
		{"Principal is an array", stmt(`"Effect": "Allow", "Principal": ["*"], "Action": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:48 Statement[0].Principal"}, ""},
		{"unknown principal type", stmt(`"Effect": "Allow", "Principal": {"User": "alice"}, "Action": "*"`),
			[]string{"INVALID_PRINCIPAL_KEY 3:49 Statement[0].Principal.User"}, "expected AWS, Service, Federated or CanonicalUser"},
		{"wrong-case principal type", stmt(`"Effect": "Allow", "Principal": {"service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"`),
			[]string{"INVALID_PRINCIPAL_KEY 3:49 Statement[0].Principal.service"}, `did you mean "Service"?`},
		{"principal value is a number", stmt(`"Effect": "Allow", "Principal": {"AWS": 111122223333}, "Action": "*"`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:56 Statement[0].Principal.AWS"}, ""},
		{"duplicate principal type", stmt(`"Effect": "Allow", "Principal": {"AWS": "a", "AWS": "b"}, "Action": "*"`),
			[]string{"DUPLICATE_KEY 3:61 Statement[0].Principal.AWS"}, ""},
		{"Condition is an array", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:80 Statement[0].Condition"}, ""},
		{"condition operator maps to a string", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": "true"}`),
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 3:89 Statement[0].Condition.Bool"}, ""},
		{"condition value is an object", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": {"a": 1}}}`),
			[]string{`POLICY_ELEMENT_TYPE_MISMATCH 3:123 Statement[0].Condition.StringEquals["aws:PrincipalTag/team"]`}, ""},
		{"condition value array holds null", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["users/*", null]}}`),
			[]string{`POLICY_ELEMENT_TYPE_MISMATCH 3:121 Statement[0].Condition.StringLike["s3:prefix"][1]`}, ""},
		{"duplicate condition operator", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}`),
			[]string{"DUPLICATE_KEY 3:122 Statement[0].Condition.Bool"}, ""},
		{"duplicate condition key", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:RequestedRegion": "us-east-2"}}`),
			[]string{`DUPLICATE_KEY 3:134 Statement[0].Condition.StringEquals["aws:RequestedRegion"]`}, ""},
		{"key written three times", `{"Id": "a", "Id": "b", "Id": "c"}`,
			[]string{"DUPLICATE_KEY 1:13 Id", "DUPLICATE_KEY 1:24 Id"}, ""},
		{"duplicate among many condition keys", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {` + manyKeys(20) + `, "k3": "again"}}`),
			[]string{`DUPLICATE_KEY 3:` + fmt.Sprint(16+len(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {`+manyKeys(20)+`, `)) + ` Statement[0].Condition.StringEquals.k3`}, ""},
		{"several problems are all reported in source order", "{\n\"Statement\": [\n  {\"effect\": \"Allow\", \"Action\": 1},\n  {\"Effect\": \"Allow\", \"Resource\": \"*\", \"Resource\": \"*\"}\n],\n\"Bogus\": 1\n}",
			[]string{"INVALID_POLICY_ELEMENT 3:4 Statement[0].effect", "POLICY_ELEMENT_TYPE_MISMATCH 3:33 Statement[0].Action", "DUPLICATE_KEY 4:40 Statement[1].Resource", "INVALID_POLICY_ELEMENT 6:1 Bogus"}, ""},
		{"single statement object paths", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [1]}}",
			[]string{"POLICY_ELEMENT_TYPE_MISMATCH 1:46 Statement.Action[0]"}, ""},
		{"valid policy has no problems", stmt(`"Sid": "AllowSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "arn:aws:secretsmanager:*:*:secret:engify/*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:SecureTransport": true}}`),
			nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse("p.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := problemStrings(p.Problems)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems\n got %q\nwant %q", got, tt.want)
			}
			for _, pr := range p.Problems {
				if pr.Pos.File != "p.json" || pr.Message == "" {
					t.Errorf("problem %+v lacks a file or a message", pr)
				}
			}
			if tt.wantMessage != "" && len(p.Problems) > 0 && !strings.Contains(p.Problems[0].Message, tt.wantMessage) {
				t.Errorf("message %q does not contain %q", p.Problems[0].Message, tt.wantMessage)
			}
		})
	}
}

func TestDecodeEmbeddedPathPrefix(t *testing.T) {
	t.Parallel()
	// A policy inside a CloudFormation template: positions are in the
	// template, paths are prefixed with the document's path.
	tmpl := "Resources:\n  Role:\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: [s3:GetObject, 7]\n"
	root, err := node.ParseYAML("template.yaml", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	doc := root.Get("Resources").Get("Role").Get("Properties").Get("PolicyDocument")
	p := policy.Decode(doc, "template.yaml", "Resources.Role.Properties.PolicyDocument.")
	want := []string{"POLICY_ELEMENT_TYPE_MISMATCH 7:36 Resources.Role.Properties.PolicyDocument.Statement[0].Action[1]"}
	if got := problemStrings(p.Problems); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems = %q, want %q", got, want)
	}
	a := p.Statements[0].Action.Values[0]
	if a.Path != "Resources.Role.Properties.PolicyDocument.Statement[0].Action[0]" || a.Pos.String() != "template.yaml:7:22" {
		t.Errorf("action value at %s %s", a.Pos, a.Path)
	}
	if p.Path != "Resources.Role.Properties.PolicyDocument." {
		t.Errorf("Policy.Path = %q", p.Path)
	}
	notObject := policy.Decode(root.Get("Resources").Get("Role").Get("Properties"), "template.yaml", "Resources.Role.Properties.PolicyDocument.")
	if len(notObject.Problems) != 1 || notObject.Problems[0].Path != "Resources.Role.Properties.PolicyDocument.PolicyDocument" {
		t.Errorf("an object with unknown keys should report them, got %v", problemStrings(notObject.Problems))
	}
}

func TestDecodeModel(t *testing.T) {
	t.Parallel()
	in := `{
  "Version": "2012-10-17",
  "Id": "engify",
  "Statement": {
    "Sid": "InvokeFromApiGateway",
    "Effect": "Allow",
    "Principal": {"Service": ["apigateway.amazonaws.com"], "AWS": "arn:aws:iam::111122223333:role/engify"},
    "Action": "lambda:InvokeFunction",
    "Resource": ["arn:aws:lambda:*:*:function:engify-*"],
    "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:*"}, "NumericLessThanEquals": {"aws:MultiFactorAuthAge": [3600, "7200"]}, "Bool": {"aws:SecureTransport": true}}
  }
}`
	p, err := policy.Parse("p.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %v", problemStrings(p.Problems))
	}
	if p.Version.Text != "2012-10-17" || p.ID.Text != "engify" || !p.StatementPresent || p.StatementIsArray || len(p.Statements) != 1 {
		t.Fatalf("top level decoded wrong: %+v", p)
	}
	s := p.Statements[0]
	if s.Path != "Statement" || s.Sid.Text != "InvokeFromApiGateway" || !s.Allows() || s.Denies() {
		t.Errorf("statement: path %q sid %v", s.Path, s.Sid)
	}
	if s.Action.IsArray || s.Action.Texts()[0] != "lambda:InvokeFunction" || !s.Resource.IsArray {
		t.Errorf("lists: %+v %+v", s.Action, s.Resource)
	}
	if len(s.Principal.Entries) != 2 || s.Principal.Entries[0].Type != "Service" || !s.Principal.Entries[0].Values.IsArray ||
		s.Principal.Entries[1].Values.Values[0].Path != "Statement.Principal.AWS" {
		t.Errorf("principal: %+v", s.Principal)
	}
	c := s.Condition.Blocks
	if len(c) != 3 || c[0].Operator.Text != "ArnLike" || c[0].Entries[0].Key.Text != "AWS:SourceArn" {
		t.Fatalf("condition: %+v", c)
	}
	nums := c[1].Entries[0].Values.Values
	if nums[0].Text != "3600" || nums[0].Type != policy.TypeNumber || nums[1].Type != policy.TypeString ||
		nums[0].Path != `Statement.Condition.NumericLessThanEquals["aws:MultiFactorAuthAge"][0]` {
		t.Errorf("numeric values: %+v", nums)
	}
	if b := c[2].Entries[0].Values.Values[0]; b.Text != "true" || b.Type != policy.TypeBool {
		t.Errorf("bool value: %+v", b)
	}
	if got := c[0].Operator.Pos.String(); got != "p.json:10:19" {
		t.Errorf("operator position %s", got)
	}
}

func TestParseSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := policy.Parse("Engify-S3-UserUploads.json", []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}"))
	var se *node.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *node.SyntaxError", err)
	}
	if got := se.Pos.String(); got != "Engify-S3-UserUploads.json:3:17" {
		t.Errorf("error at %s", got)
	}
}

func TestDetectKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     policy.Kind
	}{
		{"identity", stmt(`"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"`), policy.KindIdentity},
		{"trust", stmt(`"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"`), policy.KindTrust},
		{"trust with web identity", stmt(`"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": ["sts:AssumeRoleWithWebIdentity"]`), policy.KindTrust},
		{"trust with lower-case action", stmt(`"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "STS:assumerole"`), policy.KindTrust},
		{"trust with wildcard action", stmt(`"Effect": "Allow", "Principal": "*", "Action": "sts:Assume*"`), policy.KindTrust},
		{"trust with NotPrincipal", stmt(`"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:TagSession"`), policy.KindTrust},
		{"resource", stmt(`"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction"`), policy.KindResource},
		{"no statements", `{"Version": "2012-10-17"}`, policy.KindIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse("p.json", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := policy.DetectKind(p); got != tt.want {
				t.Errorf("DetectKind = %q, want %q", got, tt.want)
			}
		})
	}
	if got := policy.DetectKind(nil); got != policy.KindUnknown {
		t.Errorf("DetectKind(nil) = %q", got)
	}
}

func TestIsAssumeRoleAction(t *testing.T) {
	t.Parallel()
	for action, want := range map[string]bool{
		"sts:AssumeRole":                true,
		"sts:assumerolewithsaml":        true,
		"sts:SetSourceIdentity":         true,
		"sts:*":                         true,
		"*":                             true,
		"sts:AssumeRole?":               false,
		"sts:AssumeRoleWith???":         false,
		"sts:AssumeRoleWith????":        true,
		"sts:GetCallerIdentity":         false,
		"iam:PassRole":                  false,
		"s3:*":                          false,
		"sts:AssumeRoleWithWebIdentity": true,
	} {
		if got := policy.IsAssumeRoleAction(action); got != want {
			t.Errorf("IsAssumeRoleAction(%q) = %v, want %v", action, got, want)
		}
	}
}

func TestIsKnownVersion(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{"2012-10-17": true, "2008-10-17": true, "2012-10-18": false, "": false, "2012-10-17 ": false} {
		if got := policy.IsKnownVersion(v); got != want {
			t.Errorf("IsKnownVersion(%q) = %v, want %v", v, got, want)
		}
	}
}

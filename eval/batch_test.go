package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunBatch(t *testing.T) {
	t.Parallel()
	good := func(action, expect string) string {
		return `{"request": {"principal": "arn:aws:iam::123456789012:user/alice", "action": "` + action + `", "resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"}, "expect": "` + expect + `",` +
			` "identityPolicies": [{"name": "Engify-SecretsManager-ReadOnly", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": "arn:aws:secretsmanager:*:*:secret:engify/*"}]}}]}`
	}
	input := strings.Join([]string{
		good("secretsmanager:GetSecretValue", "allowed"),
		`{"request": {"principal": "alice", "action": "s3:GetObject", "resource": "*"}}`,
		"",
		`{not json`,
		good("secretsmanager:PutSecretValue", "denied"),
		good("secretsmanager:DescribeSecret", "implicitDeny"),
	}, "\n")
	var out bytes.Buffer
	st, err := RunBatch(context.Background(), strings.NewReader(input), &out, BatchOptions{File: "in.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scenarios != 5 || st.Bad != 2 || st.Contradicted != 1 {
		t.Errorf("stats %+v, want 5 scenarios, 2 bad, 1 contradicted", st)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d result lines, want 5:\n%s", len(lines), out.String())
	}
	var results []BatchResult
	for _, l := range lines {
		var r BatchResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		results = append(results, r)
	}
	want := []struct {
		line     int
		decision string
		errPart  string
		met      bool
	}{
		{1, "allowed", "", true},
		{2, "", "in.jsonl:2:", false},
		{4, "", "in.jsonl:4:", false},
		{5, "implicitDeny", "", true},
		{6, "allowed", "", false},
	}
	for i, w := range want {
		r := results[i]
		if r.Line != w.line {
			t.Errorf("result %d: line %d, want %d", i, r.Line, w.line)
		}
		if w.errPart != "" {
			if !strings.Contains(r.Error, w.errPart) {
				t.Errorf("line %d: error %q, want it to contain %q", w.line, r.Error, w.errPart)
			}
			continue
		}
		if r.Decision == nil || r.Decision.String() != w.decision {
			t.Errorf("line %d: decision %v, want %s", w.line, r.Decision, w.decision)
		}
		if r.ExpectMet == nil || *r.ExpectMet != w.met {
			t.Errorf("line %d: expectMet %v, want %v", w.line, r.ExpectMet, w.met)
		}
	}
	if results[0].Statement == nil || results[0].Statement.Path != "identityPolicies[0].document.Statement[0]" || results[0].Statement.Pos.Line != 1 {
		t.Errorf("line 1 statement %+v", results[0].Statement)
	}
	if results[3].Statement != nil || results[3].Missing == nil || results[3].Missing.PolicyType != IdentityPolicy {
		t.Errorf("line 5 should name the missing identity allow: %+v", results[3])
	}
}

// TestBatchCacheAgrees checks that cached policies decide exactly as
// freshly compiled ones.
func TestBatchCacheAgrees(t *testing.T) {
	t.Parallel()
	input := batchInput(t, 200)
	var out bytes.Buffer
	if _, err := RunBatch(context.Background(), bytes.NewReader(input), &out, BatchOptions{File: "b.jsonl"}); err != nil {
		t.Fatal(err)
	}
	results := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, line := range strings.Split(strings.TrimSpace(string(input)), "\n") {
		s, err := ParseScenario("one.json", []byte(line))
		if err != nil {
			t.Fatal(err)
		}
		want := Decide(s.PolicySet(), s.Prepared()).Decision.String()
		if !strings.Contains(results[i], `"decision":"`+want+`"`) {
			t.Fatalf("line %d: batch says %s, a fresh compile %s", i+1, results[i], want)
		}
	}
}

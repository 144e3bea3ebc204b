package generate

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

func loadPolicies(t *testing.T, files ...string) []*policy.Policy {
	t.Helper()
	var out []*policy.Policy
	for _, f := range files {
		data, err := os.ReadFile("testdata/extend/" + f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := lint.ParseFile(f, data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func statusActions(ss []RequestStatus) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Action)
	}
	return out
}

func TestExtend(t *testing.T) {
	t.Parallel()
	const need = "I need to add file upload to S3"
	for _, tc := range []struct {
		name        string
		current     []string
		allowed     []string
		missing     []string
		doc         string // "" means no policy proposed
		reasonHas   string
		statementAt string
	}{
		{name: "seed: nothing attached", missing: []string{"s3:PutObject", "s3:GetObject"},
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`},
		{name: "read already allowed", current: []string{"SynthCoreAI-S3-ReadOnly.json"},
			allowed: []string{"s3:GetObject"}, missing: []string{"s3:PutObject"}, statementAt: "SynthCoreAI-S3-ReadOnly.json:4:5",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`},
		{name: "everything allowed (wrapper file)", current: []string{"SynthCoreAI-S3-FileUpload.json"},
			allowed: []string{"s3:PutObject", "s3:GetObject"}},
		{name: "allowed on one bucket only", current: []string{"SynthCoreAI-S3-Uploads.json"},
			missing: []string{"s3:PutObject", "s3:GetObject"}, reasonHas: "allowed only for part",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`},
		{name: "explicit deny", current: []string{"SynthCoreAI-S3-ReadOnly.json", "SynthCoreAI-S3-DenyWrites.json"},
			allowed: []string{"s3:GetObject"}, missing: []string{"s3:PutObject"}, reasonHas: "explicitly denied",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Config: synthCore(t)}
			plan, err := PlanNeed(need, opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Extend(loadPolicies(t, tc.current...), plan, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := statusActions(res.AlreadyAllowed); !slices.Equal(got, tc.allowed) {
				t.Errorf("alreadyAllowed = %v; want %v", got, tc.allowed)
			}
			if got := statusActions(res.Missing); !slices.Equal(got, tc.missing) {
				t.Errorf("missing = %v; want %v", got, tc.missing)
			}
			if tc.statementAt != "" && (len(res.AlreadyAllowed) == 0 || res.AlreadyAllowed[0].Statement != tc.statementAt) {
				t.Errorf("allowed by %+v; want statement at %s", res.AlreadyAllowed, tc.statementAt)
			}
			if tc.reasonHas != "" && !slices.ContainsFunc(res.Missing, func(s RequestStatus) bool { return strings.Contains(s.Reason, tc.reasonHas) }) {
				t.Errorf("no missing reason mentions %q: %+v", tc.reasonHas, res.Missing)
			}
			if tc.doc == "" {
				if res.Document != nil {
					t.Errorf("document = %s; want none", res.Document.Indented())
				}
				b, _ := json.Marshal(res.JSON())
				if !strings.Contains(string(b), `"document":null`) {
					t.Errorf("JSON must say \"document\": null: %s", b)
				}
				return
			}
			doc, _ := json.Marshal(res.Document)
			if string(doc) != tc.doc {
				t.Errorf("document = %s\nwant %s", doc, tc.doc)
			}
			if res.Name != "SynthCoreAI-S3-FileUpload" {
				t.Errorf("name = %s", res.Name)
			}
			if !res.Proof.OK {
				t.Errorf("proof: %s", res.Proof.Summary())
			}
		})
	}
}

func TestExtendPairs(t *testing.T) {
	t.Parallel()
	opts := Options{Config: synthCore(t)}
	plan, err := PlanPairs([]string{"s3:GetObject", "sqs:SendMessage"},
		[]string{"arn:aws:s3:::synthcoreai-assets/*", "arn:aws:sqs:us-east-1:123456789012:synthcoreai-jobs"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Extend(loadPolicies(t, "SynthCoreAI-S3-ReadOnly.json"), plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := statusActions(res.Missing); !slices.Equal(got, []string{"sqs:SendMessage"}) {
		t.Errorf("missing = %v", got)
	}
	if res.Name != "SynthCoreAI-SQS-SendOnly" {
		t.Errorf("name = %s", res.Name)
	}
	for _, bad := range []struct{ actions, resources []string }{
		{[]string{"s3:GetObjekt"}, nil},
		{[]string{"s3:GetObject"}, []string{"arn:aws:s3:::bucket"}}, // a bucket, not an object
		{[]string{"s3:GetObject", "s3:PutObject"}, []string{"arn:aws:s3:::b/*"}},
	} {
		if _, err := PlanPairs(bad.actions, bad.resources, opts); err == nil {
			t.Errorf("PlanPairs(%v, %v): want an error", bad.actions, bad.resources)
		}
	}
}

func loadPoliciesB(b *testing.B, files ...string) []*policy.Policy {
	b.Helper()
	var out []*policy.Policy
	for _, f := range files {
		data, err := os.ReadFile("testdata/extend/" + f)
		if err != nil {
			b.Fatal(err)
		}
		p, err := lint.ParseFile(f, data)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

package gate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

func TestParseChangeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, src, want string
	}{
		{"unknown field", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nrequestor: carol\n", `c.yaml:4:1: unknown field "requestor"; did you mean "requester"?`},
		{"unknown field in JSON", "c.json", `{"environment": "dev", "operation": "create", "resourceType": "AWS::SQS::Queue", "cost": 3}`, `c.json:1:82: unknown field "cost"`},
		{"duplicate field", "c.yaml", "environment: dev\nenvironment: prod\n", `c.yaml:2:1: duplicate field "environment"`},
		{"duplicate property key", "c.json", `{"environment":"dev","operation":"create","resourceType":"AWS::SQS::Queue","properties":{"A":1,"A":2}}`, `c.json:1:96: duplicate key "A"`},
		{"bad operation", "c.yaml", "environment: dev\noperation: replace\nresourceType: AWS::SQS::Queue\n", `c.yaml:2:12: operation "replace" is not create, read, update or delete`},
		{"bad type name", "c.yaml", "environment: dev\noperation: create\nresourceType: SQS Queue\n", `c.yaml:3:15: resourceType "SQS Queue" is not a CloudFormation type name`},
		{"wrong type", "c.yaml", "environment: [dev]\n", `c.yaml:1:14: environment must be a string, found array`},
		{"properties not an object", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nproperties: []\n", `c.yaml:4:13: properties must be an object`},
		{"negative cost", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nmonthlyCost: -1\n", `c.yaml:4:14: monthlyCost must be a number`},
		{"cost word", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nmonthlyCost: cheap\n", `c.yaml:4:14: monthlyCost must be a number`},
		{"missing type", "c.yaml", "environment: dev\noperation: create\n", `c.yaml:1:1: missing required field resourceType`},
		{"delete without identifier", "c.yaml", "environment: dev\noperation: delete\nresourceType: AWS::SQS::Queue\n", `c.yaml:1:1: a delete needs an identifier`},
		{"update without properties", "c.yaml", "environment: dev\noperation: update\nresourceType: AWS::SQS::Queue\nidentifier: q\n", `c.yaml:1:1: an update needs properties`},
		{"intrinsic function", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nproperties:\n  QueueName: !Ref Name\n", `c.yaml:5:14: YAML tag !Ref is not supported`},
		{"bad promotedFrom", "c.yaml", "environment: prod\noperation: create\nresourceType: AWS::SQS::Queue\npromotedFrom: abc\n", `c.yaml:4:15: promotedFrom must be the 64-hex-digit promotionHash`},
		{"not an object", "c.yaml", "- a\n", `c.yaml:1:1: a change request is an object`},
		{"empty", "c.yaml", "", `c.yaml:1:1: empty input`},
		{"infinite number", "c.yaml", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nproperties:\n  X: .inf\n", `c.yaml:5:6: number .inf cannot be represented in JSON`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseChange(tc.file, []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %s…", err, tc.want)
			}
			var ie *InputError
			var se *node.SyntaxError
			if !errors.As(err, &ie) && !errors.As(err, &se) {
				t.Errorf("error %T is neither an InputError nor a SyntaxError", err)
			}
		})
	}
}

func TestParseChangeSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := ParseChange("c.json", []byte(`{"environment": "dev",`))
	var se *node.SyntaxError
	if !errors.As(err, &se) || se.Pos.File != "c.json" || se.Pos.Line != 1 {
		t.Fatalf("got %v", err)
	}
}

// TestContentHashIgnoresSpelling: the same change written as JSON or YAML,
// with keys in any order and numbers in any spelling, hashes alike; any
// change of content does not.
func TestContentHashIgnoresSpelling(t *testing.T) {
	t.Parallel()
	jsonSrc := `{"properties": {"VisibilityTimeout": 60, "DelaySeconds": 1.0, "Tags": [{"Key": "a", "Value": "b"}]},
	 "resourceType": "AWS::SQS::Queue", "operation": "create", "environment": "dev", "requester": "carol", "monthlyCost": 0.5}`
	yamlSrc := "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nrequester: carol\nmonthlyCost: 0.50\nproperties:\n  DelaySeconds: 1e0\n  VisibilityTimeout: 0x3C\n  Tags:\n    - Key: a\n      Value: b\n"
	a, err := ParseChange("a.json", []byte(jsonSrc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseChange("b.yaml", []byte(yamlSrc))
	if err != nil {
		t.Fatal(err)
	}
	ha, _ := a.ContentHash()
	hb, _ := b.ContentHash()
	if ha != hb {
		ca, _ := a.Canonical()
		cb, _ := b.Canonical()
		t.Fatalf("same change, different hashes:\n%s\n%s", ca, cb)
	}
	canon, _ := a.Canonical()
	want := `{"environment":"dev","monthlyCost":0.5,"operation":"create","properties":{"DelaySeconds":1,"Tags":[{"Key":"a","Value":"b"}],"VisibilityTimeout":60},"requester":"carol","resourceType":"AWS::SQS::Queue"}`
	if string(canon) != want {
		t.Errorf("canonical\n%s\nwant\n%s", canon, want)
	}
	for name, edit := range map[string]func(c *Change){
		"property":    func(c *Change) { c.Properties["VisibilityTimeout"] = json.Number("61") },
		"environment": func(c *Change) { c.Environment = "prod" },
		"requester":   func(c *Change) { c.Requester = "dave" },
		"cost":        func(c *Change) { c.MonthlyCost = &Cost{Unknown: true} },
		"tag":         func(c *Change) { c.Properties["Tags"].([]any)[0].(map[string]any)["Value"] = "c" },
	} {
		c, _ := ParseChange("a.json", []byte(jsonSrc))
		edit(c)
		if h, _ := c.ContentHash(); h == ha {
			t.Errorf("editing the %s left the hash unchanged", name)
		}
	}
}

func TestCanonicalNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0": "0", "-7": "-7", "12345678901234567890": "12345678901234567890",
		"1.0": "1", "1e3": "1000", "+5": "5", "0x1F": "31", "0o17": "15",
		"0.1": "0.1", "1.5e-7": "1.5e-7", "1e21": "1e+21", "-2.50": "-2.5",
	} {
		got, err := canonicalNumber(in)
		if err != nil || string(got) != want {
			t.Errorf("canonicalNumber(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
}

func TestPromotionHash(t *testing.T) {
	t.Parallel()
	dev := readChange(t, "dev-s3-fileupload.yaml")
	prod := readChange(t, "prod-s3-fileupload.yaml")
	cfg := testConfig()
	for _, c := range []*Change{dev, prod} {
		env := cfg.Environments[c.Environment]
		c.Requester = "carol-" + c.Environment // may differ
		if _, err := injectTags(cfg, c, "2025-11-0"+map[string]string{"dev": "1", "prod": "2"}[c.Environment]); err != nil {
			t.Fatal(err)
		}
		_ = env
	}
	hd, _ := dev.PromotionHash("111111111111", "us-east-1")
	hp, _ := prod.PromotionHash("222222222222", "us-east-1")
	if hd != hp {
		t.Fatal("dev and prod of the same change have different promotion hashes")
	}
	// Account IDs written in ARNs are environment-specific too.
	dev.Properties["Roles"] = []any{"arn:aws:iam::111111111111:role/app"}
	prod.Properties["Roles"] = []any{"arn:aws:iam::222222222222:role/app"}
	hd, _ = dev.PromotionHash("111111111111", "us-east-1")
	hp, _ = prod.PromotionHash("222222222222", "us-east-1")
	if hd != hp {
		t.Error("account IDs in ARNs change the promotion hash")
	}
	// A real difference does.
	prod.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)["Resource"] = "*"
	if hp2, _ := prod.PromotionHash("222222222222", "us-east-1"); hp2 == hd {
		t.Error("a different policy has the same promotion hash")
	}
}

// FuzzParseChange: any input is a change, an InputError or a SyntaxError,
// never a panic; a parsed change canonicalises, and its canonical form
// parses back to the same hash.
func FuzzParseChange(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "changes", "*"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(filepath.Base(p), data)
		}
	}
	f.Add("c.yaml", []byte("environment: dev\noperation: read\nresourceType: A::B::C\nidentifier: x\nmonthlyCost: unknown\n"))
	f.Add("c.json", []byte(`{"environment":"dev","operation":"create","resourceType":"A::B::C","properties":{"n":1e400}}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c, err := ParseChange(name, data)
		if err != nil {
			var ie *InputError
			var se *node.SyntaxError
			if !errors.As(err, &ie) && !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		canon, err := c.Canonical()
		if err != nil {
			t.Fatalf("a parsed change does not canonicalise: %v", err)
		}
		back, err := ParseChange("canon.json", canon)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, canon)
		}
		again, _ := back.Canonical()
		if string(again) != string(canon) {
			t.Fatalf("canonical form is not stable:\n%s\n%s", canon, again)
		}
	})
}

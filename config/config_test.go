package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultFollowsTheSeeds(t *testing.T) {
	t.Parallel()
	c := Default()
	if got := c.PolicyName("S3", "FileUpload"); got != "Project-S3-FileUpload" {
		t.Errorf("PolicyName without project = %q", got)
	}
	for _, key := range []string{"MANAGED_BY", "Environment", "Project", "CostCenter", "CreatedBy", "CreatedDate"} {
		if _, ok := c.Tags.Required[key]; !ok {
			t.Errorf("default required tags lack %s", key)
		}
	}
	if !c.IsProduction("prod") || c.IsProduction("dev") {
		t.Errorf("default environments: prod must be production, dev not")
	}
	if c.Scan.FailOn != "security" || c.Lint.FailOn != "error" {
		t.Errorf("failOn defaults: scan %q (want security), lint %q (want error)", c.Scan.FailOn, c.Lint.FailOn)
	}
	if c.Approvals.TokenTTL.Duration != time.Hour {
		t.Errorf("TokenTTL = %v, want 1h", c.Approvals.TokenTTL)
	}
	if len(c.Approvals.Rules) == 0 || c.Approvals.Rules[len(c.Approvals.Rules)-1].Name != "default" {
		t.Errorf("the approval table must end with a catch-all rule")
	}
}

func TestParseExamples(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"../examples/engify/iamguard.yaml", "../examples/synthcoreai/iamguard.yaml"} {
		c, err := Load(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if c.Project == "" {
			t.Errorf("%s: no project", file)
		}
	}
	c, err := Load("../examples/synthcoreai/iamguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.PolicyName("S3", "FileUpload"); got != "SynthCoreAI-S3-FileUpload" {
		t.Errorf("PolicyName = %q", got)
	}
	if got := c.Tags.Required["Environment"]; len(got) != 2 || got[0] != "development" {
		t.Errorf("Environment allowed values = %v", got)
	}
	if got := c.Tags.Required["Project"]; len(got) != 1 || got[0] != "SynthCore" {
		t.Errorf("Project allowed values = %v", got)
	}
	if got := c.Tags.Required["MANAGED_BY"]; got != nil {
		t.Errorf("MANAGED_BY: null must allow any value, got %v", got)
	}
	if !c.Promotion.RequireDev || !c.MFA.RequireForProduction {
		t.Errorf("promotion/MFA not read")
	}
	re := c.NamingRegexp()
	if !re.MatchString("SynthCoreAI-SES-SendOnly") || re.MatchString("Engify-SES-SendOnly") || re.MatchString("SynthCoreAI-SES") {
		t.Errorf("naming regexp %s", re)
	}
}

func TestParseErrorsArePositioned(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top-level field", "project: X\nprojct: Y\n", "t.yaml:2:1: unknown field \"projct\""},
		{"unknown nested field", "naming:\n  patern: x\n", "t.yaml:2:3: unknown field \"patern\""},
		{"wrong case hint", "Project: X\n", "did you mean \"project\""},
		{"bad failOn", "lint:\n  failOn: fatal\n", "t.yaml:2:11: failOn \"fatal\""},
		{"suppression without reason", "suppressions:\n  - code: SERVICE_WILDCARD\n", "needs a reason"},
		{"bad operation", "approvals:\n  rules:\n    - operation: destroy\n", "operation \"destroy\""},
		{"bad duration", "approvals:\n  tokenTTL: soon\n", "t.yaml:2"},
		{"syntax error", "project: [\n", "t.yaml:"},
		{"bad tag format", "tags:\n  formats:\n    CreatedDate: \"([\"\n", "tags.formats.CreatedDate"},
		{"duplicate field", "project: A\nproject: B\n", "t.yaml:2:1"},
		{"tag values must be scalars", "tags:\n  required:\n    Env: {a: b}\n", "t.yaml:3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("empty.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Naming.Pattern != "{Project}-{Service}-{Actions}" {
		t.Errorf("pattern = %q", c.Naming.Pattern)
	}
}

func TestFindWalksUpToTheRepository(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "a", "b"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, FileName), []byte("project: Root\n"), 0o644))
	c, err := Find("", filepath.Join(root, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Project != "Root" {
		t.Errorf("Find picked %q, want Root", c.Project)
	}
	// Outside any configured tree: defaults.
	other := t.TempDir()
	must(t, os.Mkdir(filepath.Join(other, ".git"), 0o755))
	c, err = Find("", other)
	if err != nil || c.Project != "" {
		t.Errorf("Find outside = %+v, %v; want defaults", c.Project, err)
	}
}

func TestApprovalRuleCostBoundsParse(t *testing.T) {
	t.Parallel()
	c, err := Parse("t.yaml", []byte("approvals:\n  rules:\n    - name: cheap\n      operation: create\n      maxMonthlyCost: 10\n      scan: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Approvals.Rules[0]
	if r.MaxMonthlyCost == nil || *r.MaxMonthlyCost != 10 || r.MinMonthlyCost != nil || !r.Scan || r.Approval {
		t.Errorf("rule = %+v", r)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMFADefaultsOnButCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	if !Default().MFA.RequireForProduction {
		t.Error("the seeds require MFA for production by default")
	}
	c, err := Parse("t.yaml", []byte("project: X\n"))
	if err != nil || !c.MFA.RequireForProduction {
		t.Errorf("a file that does not mention mfa keeps the default: %v %v", c.MFA, err)
	}
	c, err = Parse("t.yaml", []byte("mfa:\n  requireForProduction: false\n"))
	if err != nil || c.MFA.RequireForProduction {
		t.Errorf("an explicit false must win: %v %v", c.MFA, err)
	}
}

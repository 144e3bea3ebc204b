package resource

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/iac"
)

// testConfig is the seeds' configuration with the optional requirements
// switched on, so every rule can fire.
func testConfig() *config.Config {
	cfg := config.Default()
	cfg.Encryption.S3RequireKMS = true
	cfg.MFA.RequireForProduction = true
	return cfg
}

func load(t *testing.T, file string) *iac.Template {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tpl *iac.Template
	var errs []error
	if strings.HasSuffix(file, ".tf") {
		tpl, errs = iac.LoadTerraform(filepath.Dir(file), map[string][]byte{file: data})
	} else {
		tpl, errs = iac.LoadDocument(file, data)
	}
	if len(errs) > 0 || tpl == nil {
		t.Fatalf("%s: load: %v", file, errs)
	}
	return tpl
}

// expectedLines are the lines marked "# expect" in a fixture.
func expectedLines(t *testing.T, file string) []int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "# expect") {
			out = append(out, i+1)
		}
	}
	return out
}

// TestRuleFixtures runs each rule over its good and bad examples in
// CloudFormation and Terraform: bad examples must be reported exactly on
// the lines marked "# expect", good examples not at all.
func TestRuleFixtures(t *testing.T) {
	t.Parallel()
	s := New(testConfig())
	for _, rule := range Rules() {
		for _, name := range []string{"bad.yaml", "good.yaml", "bad.tf", "good.tf"} {
			file := filepath.Join("testdata", rule.Code, name)
			t.Run(rule.Code+"/"+name, func(t *testing.T) {
				t.Parallel()
				var lines []int
				for _, f := range s.Template(load(t, file)) {
					if f.Code != rule.Code {
						continue
					}
					if f.File != file || f.Message == "" || f.Fix == "" || f.Severity != rule.Severity {
						t.Errorf("malformed finding %+v", f)
					}
					lines = append(lines, f.Line)
					t.Logf("%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Path, f.Message)
				}
				slices.Sort(lines)
				want := expectedLines(t, file)
				if strings.HasPrefix(name, "bad") && len(want) == 0 {
					t.Fatal("bad example marks no line with # expect")
				}
				if !slices.Equal(lines, want) {
					t.Errorf("%s reported on lines %v, want %v", rule.Code, lines, want)
				}
			})
		}
	}
}

func TestRulesMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Code] {
			t.Errorf("duplicate code %s", r.Code)
		}
		seen[r.Code] = true
		if r.Code != strings.ToUpper(r.Code) || r.Why == "" || r.Fix == "" || r.Severity.Rank() == 0 {
			t.Errorf("incomplete rule %+v", r)
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d rules", len(seen))
	}
}

func TestConfigDisableAndSeverity(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Scan.Disable = []string{"SNS_UNENCRYPTED"}
	cfg.Scan.Severity = map[string]string{"MISSING_REQUIRED_TAGS": "warning"}
	tpl := load(t, "testdata/SNS_UNENCRYPTED/bad.yaml")
	var codes []string
	for _, f := range New(cfg).Template(tpl) {
		codes = append(codes, f.Code)
		if f.Code == "MISSING_REQUIRED_TAGS" && f.Severity != finding.Warning {
			t.Errorf("severity override not applied: %s", f.Severity)
		}
	}
	if slices.Contains(codes, "SNS_UNENCRYPTED") {
		t.Error("disabled rule reported")
	}
	if !slices.Contains(codes, "MISSING_REQUIRED_TAGS") {
		t.Errorf("codes = %v", codes)
	}
}

func TestRequiredTagsFix(t *testing.T) {
	t.Parallel()
	s := New(testConfig())
	tests := []struct {
		name, file string
		want       []string
	}{
		{"cloudformation list shows Key/Value pairs", "testdata/MISSING_REQUIRED_TAGS/bad.yaml", []string{"Add to Tags:", "  - Key: Environment\n    Value: \"development|production\"", "  - Key: CreatedDate\n    Value: YYYY-MM-DD"}},
		{"terraform shows a tags map", "testdata/MISSING_REQUIRED_TAGS/bad.tf", []string{"tags = {", `Environment = "development|production"`, "default_tags"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range s.Template(load(t, tt.file)) {
				if f.Code != "MISSING_REQUIRED_TAGS" || f.Line != 6 && f.Line != 3 {
					continue
				}
				if !strings.Contains(f.Message, "CostCenter, CreatedBy, CreatedDate, Environment, MANAGED_BY") {
					t.Errorf("message %q does not name the missing keys", f.Message)
				}
				for _, w := range tt.want {
					if !strings.Contains(f.Fix, w) {
						t.Errorf("fix %q lacks %q", f.Fix, w)
					}
				}
				return
			}
			t.Fatal("no finding on the tags line")
		})
	}
}

func TestPolicyMinTLS(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]tlsVersion{
		"ELBSecurityPolicy-TLS13-1-2-2021-06": 12, "ELBSecurityPolicy-TLS13-1-3-2021-06": 13,
		"ELBSecurityPolicy-FS-1-1-2019-08": 11, "ELBSecurityPolicy-2016-08": 10,
		"ELBSecurityPolicy-TLS-1-2-Ext-2018-06": 12, "TLS_1_0": 10, "TLS_1_2": 12,
		"SecurityPolicy_TLS13_1_3_2025_09": 13,
	} {
		if got := policyMinTLS(name); got != want {
			t.Errorf("policyMinTLS(%s) = %d, want %d", name, got, want)
		}
	}
}

// TestDocumented checks docs/scan.md lists every rule.
func TestDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../../docs/scan.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		if !strings.Contains(string(doc), "| `"+r.Code+"` | "+string(r.Severity)+" |") {
			t.Errorf("docs/scan.md does not list %s with severity %s", r.Code, r.Severity)
		}
	}
}

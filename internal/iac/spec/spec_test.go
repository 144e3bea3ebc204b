package spec

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ   string
		tagProperty string
		style       TagStyle
		arnContains string
		hasProperty string
	}{
		{"s3 bucket tags as a list", "AWS::S3::Bucket", "Tags", TagsList, "arn:${Partition}:s3:::${BucketName}", "BucketEncryption"},
		{"rds instance", "AWS::RDS::DBInstance", "Tags", TagsList, ":rds:", "StorageEncrypted"},
		{"auto scaling group uses PropagateAtLaunch", "AWS::AutoScaling::AutoScalingGroup", "Tags", TagsASG, "", "LaunchTemplate"},
		{"ssm parameter tags as a map", "AWS::SSM::Parameter", "Tags", TagsMap, "", "Name"},
		{"bucket policy is not taggable", "AWS::S3::BucketPolicy", "", TagsNone, "", "PolicyDocument"},
		{"cognito user pool tags under UserPoolTags", "AWS::Cognito::UserPool", "UserPoolTags", TagsMap, "", "UserPoolName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ, ok := Lookup(tt.typ)
			if !ok {
				t.Fatalf("Lookup(%q) not found", tt.typ)
			}
			if typ.TagProperty != tt.tagProperty || typ.TagStyle != tt.style {
				t.Errorf("tags = %q/%q, want %q/%q", typ.TagProperty, typ.TagStyle, tt.tagProperty, tt.style)
			}
			if typ.Taggable() != (tt.tagProperty != "") {
				t.Errorf("Taggable() = %v", typ.Taggable())
			}
			if !strings.Contains(typ.ARNTemplate, tt.arnContains) {
				t.Errorf("ARNTemplate = %q, want it to contain %q", typ.ARNTemplate, tt.arnContains)
			}
			if !typ.HasProperty(tt.hasProperty) {
				t.Errorf("HasProperty(%q) = false; properties %v", tt.hasProperty, typ.Properties)
			}
			if typ.HasProperty("NoSuchProperty") {
				t.Error("HasProperty(NoSuchProperty) = true")
			}
		})
	}
	if _, ok := Lookup("AWS::Nope::Nothing"); ok {
		t.Error("unknown type found")
	}
}

func TestDatabaseSize(t *testing.T) {
	t.Parallel()
	db := Load()
	if db.Len() < 1500 {
		t.Errorf("only %d types; the registry has well over 1500", db.Len())
	}
	names := db.Names()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("names not sorted at %d: %q >= %q", i, names[i-1], names[i])
		}
	}
}

// TestCurrentWithGenerator checks the embedded data was produced from the
// version the go:generate line pins, so a bump of one without the other fails.
func TestCurrentWithGenerator(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("spec.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`//go:generate go run ./internal/gen -version (\S+)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no go:generate line in spec.go")
	}
	want := "@aws-cdk/aws-service-spec " + string(m[1]) + " (Apache-2.0)"
	if got := Load().Source; got != want {
		t.Errorf("embedded data source = %q, go:generate pins %q: run go generate ./internal/iac/spec", got, want)
	}
}

func TestTerraformTable(t *testing.T) {
	t.Parallel()
	if n := TerraformTypes(); n < 150 {
		t.Errorf("terraform table has %d types, want at least 150", n)
	}
	for tf, cfn := range terraformTypes {
		if !strings.HasPrefix(tf, "aws_") {
			t.Errorf("%s: not an aws_ type", tf)
		}
		if cfn == "" {
			continue
		}
		if _, ok := Lookup(cfn); !ok {
			t.Errorf("%s maps to %s, which the registry does not know", tf, cfn)
		}
	}
	for _, tt := range []struct{ tf, cfn string }{
		{"aws_s3_bucket", "AWS::S3::Bucket"},
		{"aws_db_instance", "AWS::RDS::DBInstance"},
		{"aws_iam_policy", "AWS::IAM::ManagedPolicy"},
		{"aws_s3_bucket_public_access_block", ""},
	} {
		got, ok := FromTerraform(tt.tf)
		if !ok || got != tt.cfn {
			t.Errorf("FromTerraform(%q) = %q, %v; want %q", tt.tf, got, ok, tt.cfn)
		}
	}
	if _, ok := FromTerraform("aws_not_a_thing"); ok {
		t.Error("unknown terraform type found")
	}
}

// TestRegenerate rebuilds the data from the registry database when
// IAMGUARD_AWS_SERVICE_SPEC names a db.json.gz of the pinned version (CI
// fetches it with npm pack) and checks the embedded copy is identical.
func TestRegenerate(t *testing.T) {
	db := os.Getenv("IAMGUARD_AWS_SERVICE_SPEC")
	if db == "" {
		t.Skip("IAMGUARD_AWS_SERVICE_SPEC not set (path to db.json.gz of @aws-cdk/aws-service-spec)")
	}
	src, err := os.ReadFile("spec.go")
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`-version (\S+)`).FindSubmatch(src)[1]
	out := filepath.Join(t.TempDir(), "types.tsv.gz")
	cmd := exec.Command("go", "run", "./internal/gen", "-version", string(version), "-db", db, "-out", out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err1 := decode(fresh)
	want, err2 := decode(typesGz)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !slices.Equal(got.names, want.names) || got.Source != want.Source {
		t.Fatalf("embedded data differs from a fresh generation: run go generate ./internal/iac/spec")
	}
	for _, name := range want.names {
		a, b := got.types[name], want.types[name]
		if a.TagProperty != b.TagProperty || a.TagStyle != b.TagStyle || a.ARNTemplate != b.ARNTemplate || !slices.Equal(a.Properties, b.Properties) {
			t.Errorf("%s differs from a fresh generation", name)
		}
	}
}

package catgen

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestSplitAccessLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"single", "Read", []string{"Read"}},
		{"permissions management and write", "Permissions management, Write", []string{"Permissions management", "Write"}},
		{"tagging and write", "Tagging, Write", []string{"Tagging", "Write"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := SplitAccessLevels(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("SplitAccessLevels(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromAWSRef(t *testing.T) {
	t.Parallel()
	d, err := FromAWSRef("testdata/awsref", "", "2026-09-26")
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != "aws-service-reference" || d.Version != "v1.4" || d.Date != "2026-09-26" {
		t.Errorf("source info = %q %q %q", d.Source, d.Version, d.Date)
	}
	if len(d.Services) != 2 || d.Services[0].Prefix != "s3" || d.Services[1].Prefix != "secretsmanager" {
		t.Fatalf("services = %+v", d.Services)
	}
	levels := map[string][]string{}
	for _, a := range d.Services[0].Actions {
		levels[a.Name] = a.Levels
	}
	want := map[string][]string{
		"GetObject":        {"Read"},
		"ListBucket":       {"List"},
		"ListAllMyBuckets": {"List"},
		"PutBucketPolicy":  {"Permissions management", "Write"},
		"PutObjectTagging": {"Tagging", "Write"},
	}
	for name, w := range want {
		if !slices.Equal(levels[name], w) {
			t.Errorf("%s levels = %q, want %q", name, levels[name], w)
		}
	}
	// The curated global definition replaces the service's copy of aws: keys.
	found := false
	for _, k := range d.Keys {
		if k.Name == "aws:RequestTag/${TagKey}" {
			found = true
			if !strings.Contains(k.Description, "tag") {
				t.Errorf("aws:RequestTag/${TagKey} lost its curated description: %+v", k)
			}
		}
	}
	if !found {
		t.Error("aws:RequestTag/${TagKey} missing from the key table")
	}
	b1, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := FromAWSRef("testdata/awsref", "", "2026-09-26")
	b2, _ := Encode(d2)
	if !bytes.Equal(b1, b2) || !bytes.HasPrefix(b1, []byte(Magic)) {
		t.Error("encoding is not deterministic")
	}
}

func TestGlobalKeysWellFormed(t *testing.T) {
	t.Parallel()
	keys, err := GlobalKeys()
	if err != nil {
		t.Fatal(err)
	}
	valid := map[string]bool{"String": true, "ARN": true, "Numeric": true, "Date": true, "Bool": true, "IPAddress": true, "Binary": true,
		"ArrayOfString": true, "ArrayOfARN": true, "ArrayOfNumeric": true, "ArrayOfDate": true, "ArrayOfBool": true, "ArrayOfIPAddress": true, "ArrayOfBinary": true}
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, "aws:") || !valid[k.Type] || k.Description == "" {
			t.Errorf("bad curated key %+v", k)
		}
		if seen[strings.ToLower(k.Name)] {
			t.Errorf("duplicate curated key %s", k.Name)
		}
		seen[strings.ToLower(k.Name)] = true
	}
	for _, must := range []string{"aws:SourceIp", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent", "aws:SecureTransport", "aws:PrincipalTag/${TagKey}"} {
		if !seen[strings.ToLower(must)] {
			t.Errorf("curated keys lack %s", must)
		}
	}
}

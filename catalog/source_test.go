package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamguard/iamguard/catalog/internal/catgen"
)

// sourceDir finds the generator's source: $IAMGUARD_CATALOG_SRC (an unpacked
// package "data" directory, as CI provides), else `npm pack` of the version
// the embedded data records. It skips the test when neither is available.
func sourceDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("IAMGUARD_CATALOG_SRC"); dir != "" {
		return dir
	}
	info := Default().Info()
	if testing.Short() {
		t.Skipf("-short: IAMGUARD_CATALOG_SRC is unset and fetching %s@%s with npm is slow", catgen.NPMPackage, info.Version)
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("IAMGUARD_CATALOG_SRC is unset and npm is not on PATH: cannot fetch %s@%s to compare with the embedded data", catgen.NPMPackage, info.Version)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := catgen.NPMPack(ctx, info.Version, t.TempDir())
	if err != nil {
		t.Skipf("IAMGUARD_CATALOG_SRC is unset and npm pack failed (registry unreachable?): %v", err)
	}
	return dir
}

// TestSource checks the embedded catalog against the generator's source,
// read here independently of the generator's own reader.
func TestSource(t *testing.T) {
	dir := sourceDir(t)
	c := Default()

	t.Run("every source action is embedded with its levels and resources", func(t *testing.T) {
		var prefixes []string
		readJSONFile(t, filepath.Join(dir, "services.json"), &prefixes)
		if len(prefixes) != len(c.Services()) {
			t.Errorf("source has %d services, catalog %d", len(prefixes), len(c.Services()))
		}
		n := 0
		for _, p := range prefixes {
			var actions map[string]struct {
				Name          string `json:"name"`
				AccessLevel   string `json:"accessLevel"`
				ResourceTypes []struct {
					Name     string `json:"name"`
					Required bool   `json:"required"`
				} `json:"resourceTypes"`
			}
			readJSONFile(t, filepath.Join(dir, "actions", p+".json"), &actions)
			for _, src := range actions {
				n++
				full := p + ":" + src.Name
				a, err := c.Action(full)
				if err != nil {
					t.Errorf("%s: %v", full, err)
					continue
				}
				if a.FullName() != full {
					t.Errorf("%s embedded as %s", full, a.FullName())
				}
				var levels []string
				for _, l := range a.AccessLevels {
					levels = append(levels, string(l))
				}
				want := strings.Split(src.AccessLevel, ", ")
				slices.Sort(levels)
				slices.Sort(want)
				if !slices.Equal(levels, want) {
					t.Errorf("%s: access levels %q, source %q", full, levels, want)
				}
				var got, wantRes []string
				for _, r := range a.Resources {
					got = append(got, r.Name+requiredMark(r.Required))
					if r.Type == nil || r.Type.Name != r.Name {
						t.Errorf("%s: resource %s is not linked to its type", full, r.Name)
					}
				}
				for _, r := range src.ResourceTypes {
					wantRes = append(wantRes, r.Name+requiredMark(r.Required))
				}
				slices.Sort(got)
				slices.Sort(wantRes)
				if !slices.Equal(got, wantRes) {
					t.Errorf("%s: resources %q, source %q", full, got, wantRes)
				}
			}
		}
		if n != c.NumActions() {
			t.Errorf("source has %d actions, catalog %d", n, c.NumActions())
		}
	})

	t.Run("embedded data is current with its generator", func(t *testing.T) {
		d, err := catgen.FromNPM(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version != Default().Info().Version {
			t.Skipf("source is version %s, embedded data %s: run go generate ./catalog", d.Version, Default().Info().Version)
		}
		b, err := catgen.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, []byte(embedded)) {
			t.Errorf("regenerating from %s gives %d bytes that differ from the embedded %d: run go generate ./catalog and commit", dir, len(b), len(embedded))
		}
	})
}

func requiredMark(r bool) string {
	if r {
		return "*"
	}
	return ""
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestAWSRefFixture runs the AWS service reference path end to end: fixture
// files → generator → catalog format → Load → lookups.
func TestAWSRefFixture(t *testing.T) {
	t.Parallel()
	c, err := Load(bytes.NewReader(smallCatalog(t)))
	if err != nil {
		t.Fatal(err)
	}
	if info := c.Info(); info != (SourceInfo{"aws-service-reference", "v1.4", "2026-09-26"}) {
		t.Errorf("Info = %+v", info)
	}
	if got := names(mustExpand(t, c, "s3:*")); !slices.Equal(got, []string{"s3:GetObject", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:PutBucketPolicy", "s3:PutObjectTagging"}) {
		t.Errorf("s3:* = %v", got)
	}
	pbp, err := c.Action("s3:putbucketpolicy")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pbp.AccessLevels, []AccessLevel{PermissionsManagement, Write}) {
		t.Errorf("PutBucketPolicy levels %v", pbp.AccessLevels)
	}
	if !c.ActionResourceMatches(pbp, "arn:aws:s3:::engify-ai-uploads") || c.ActionResourceMatches(pbp, "arn:aws:s3:::engify-ai-uploads/x") {
		t.Error("PutBucketPolicy resource matching")
	}
	gsv, _ := c.Action("secretsmanager:GetSecretValue")
	if !c.ActionResourceMatches(gsv, "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf") {
		t.Error("GetSecretValue does not match the seed secret")
	}
	if k, ok := c.ConditionKey("s3:ExistingObjectTag/team"); !ok || k.Name != "s3:ExistingObjectTag/<key>" {
		t.Errorf("templated <key> lookup = %v %v", k, ok)
	}
	if k, ok := c.ConditionKey("aws:SourceIp"); !ok || k.Type != TypeIPAddress {
		t.Errorf("curated global key missing from an AWS-reference catalog: %v %v", k, ok)
	}
}

func mustExpand(t *testing.T, c *Catalog, p string) []*Action {
	t.Helper()
	as, err := c.Expand(p)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

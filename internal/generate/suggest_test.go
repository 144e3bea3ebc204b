package generate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/config"
)

func synthCore(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Parse("iamguard.yaml", []byte("project: SynthCoreAI\n"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSuggestSeedExample is seed 001's policy extension example, exactly.
func TestSuggestSeedExample(t *testing.T) {
	t.Parallel()
	g, err := Suggest("I need to add file upload to S3", Options{Config: synthCore(t)})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "SynthCoreAI-S3-FileUpload" {
		t.Errorf("name = %q", g.Name)
	}
	doc, _ := json.Marshal(g.Document)
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`
	if string(doc) != want {
		t.Errorf("document =\n%s\nwant\n%s", doc, want)
	}
	if !g.Proof.OK {
		t.Errorf("proof failed: %s", g.Proof.Summary())
	}
	for _, l := range g.Explanation {
		t.Log(l)
	}
}

func TestSuggestResourceOverride(t *testing.T) {
	t.Parallel()
	g, err := Suggest("file upload to S3", Options{Config: synthCore(t), Resources: []string{"arn:aws:s3:::synthcoreai-uploads"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(g.Document)
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-uploads/*"}]}`
	if string(doc) != want {
		t.Errorf("document = %s\nwant %s", doc, want)
	}
}

func TestSuggestWithoutProject(t *testing.T) {
	t.Parallel()
	g, err := Suggest("send email", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Project-SES-SendOnly" {
		t.Errorf("name = %s", g.Name)
	}
	// No project: the explanation must say why the resource is wide.
	found := false
	for _, l := range g.Explanation {
		found = found || strings.Contains(l, "Accepted:") || strings.Contains(l, "no project")
	}
	if !found {
		t.Errorf("explanation does not say why: %v", g.Explanation)
	}
}

func TestSuggestSearchFallback(t *testing.T) {
	t.Parallel()
	g, err := Suggest("reboot an EC2 instance", Options{Config: synthCore(t)})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Document.Actions(); len(got) != 1 || got[0] != "ec2:RebootInstances" {
		t.Errorf("actions = %v", got)
	}
	if g.Name != "SynthCoreAI-EC2-RebootInstances" || len(g.Warnings) == 0 || !g.Proof.OK {
		t.Errorf("name %s, warnings %v, proof %s", g.Name, g.Warnings, g.Proof.Summary())
	}
	if _, err := Suggest("xyzzy plugh", Options{}); !errors.Is(err, ErrNoMatch) {
		t.Errorf("err = %v, want ErrNoMatch", err)
	}
}

package generate

import (
	"encoding/json"
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

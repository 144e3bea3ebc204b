package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/grant"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// fixtures: seed 001's example, and a document with conditions and a
// policy variable (which Terraform would read as interpolation unless
// escaped).
func fixtures() map[string][]Policy {
	seed := &grant.Document{Version: grant.Version, Statement: []grant.Statement{{
		Effect: "Allow", Action: []string{"s3:PutObject", "s3:GetObject"}, Resource: []string{"arn:aws:s3:::synthcoreai-*/*"},
	}}}
	complexDoc := &grant.Document{Version: grant.Version, Statement: []grant.Statement{
		{Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::engify-ai-uploads/users/${aws:username}/*", "arn:aws:s3:::engify-ai-uploads/public/*"}},
		{Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{"arn:aws:s3:::engify-ai-uploads"},
			Conditions: []grant.Clause{{Operator: "StringLike", Key: "s3:prefix", Values: []string{"users/*", "public/*"}}}},
		{Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{"arn:aws:kms:us-east-1:123456789012:key/*"},
			Conditions: []grant.Clause{{Operator: "ForAnyValue:StringLike", Key: "kms:ResourceAliases", Values: []string{"alias/engify-*"}}}},
	}}
	return map[string][]Policy{
		"seed001": {{Name: "SynthCoreAI-S3-FileUpload", Description: "Upload files to S3 and read them back", Document: seed,
			Explanation: []string{"Need \"I need to add file upload to S3\": capability s3-file-upload."}}},
		"complex": {{Name: "Engify-S3-UserUploads", Description: "Store user-uploaded files (RAG documents, etc.)", Document: complexDoc,
			Role: "engify-lambda-execution-role", Account: "123456789012", Warnings: []string{"check the prefixes"}}},
		"two": {
			{Name: "SynthCoreAI-S3-FileUpload", Document: seed},
			{Name: "Engify-S3-UserUploads", Document: complexDoc},
		},
	}
}

func TestGolden(t *testing.T) {
	for name, ps := range fixtures() {
		for _, format := range Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, format, ps); err != nil {
					t.Fatal(err)
				}
				ext := map[string]string{"terraform": ".tf", "cloudformation": ".yaml", "cli": ".sh", "text": ".txt", "iam": ".json"}[format]
				golden(t, name+ext, b.Bytes())
			})
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := Write(&bytes.Buffer{}, "xml", nil); err == nil {
		t.Error("want an error for an unknown format")
	}
}

func TestHCLString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`plain`:             `"plain"`,
		`a"b`:               `"a\"b"`,
		`${aws:username}`:   `"$${aws:username}"`,
		`%{if}`:             `"%%{if}"`,
		`back\slash`:        `"back\\slash"`,
		"line\nbreak":       `"line\nbreak"`,
		`$ alone and % too`: `"$ alone and % too"`,
	} {
		if got := hclString(in); got != want {
			t.Errorf("hclString(%q) = %s; want %s", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	if got := terraformName("SynthCoreAI-S3-FileUpload"); got != "synthcoreai_s3_fileupload" {
		t.Errorf("terraformName = %q", got)
	}
	if got := logicalID("SynthCoreAI-S3-FileUpload"); got != "SynthCoreAIS3FileUpload" {
		t.Errorf("logicalID = %q", got)
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

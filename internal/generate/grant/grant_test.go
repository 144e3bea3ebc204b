package grant

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestReduce(t *testing.T) {
	t.Parallel()
	got := Reduce([]string{"arn:aws:s3:::b/x", "arn:aws:s3:::b/*", "arn:aws:s3:::c/*", "arn:aws:s3:::b/*"})
	if !slices.Equal(got, []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}) {
		t.Errorf("Reduce = %v", got)
	}
	if got := Reduce([]string{"arn:aws:s3:::b/x", "*"}); !slices.Equal(got, []string{"*"}) {
		t.Errorf("Reduce with * = %v", got)
	}
}

func TestBuildGroupsAndOrders(t *testing.T) {
	t.Parallel()
	cond := []Clause{{Operator: "StringLike", Key: "s3:prefix", Values: []string{"users/*"}}}
	doc := Build([]Permission{
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::synthcoreai-*/*"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::synthcoreai-*/*"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::synthcoreai-a/x"}, // covered
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::synthcoreai-a", Conditions: cond},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::synthcoreai-*/*"}, // duplicate
	})
	got, _ := json.Marshal(doc)
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"},` +
		`{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::synthcoreai-a","Condition":{"StringLike":{"s3:prefix":"users/*"}}}]}`
	if string(got) != want {
		t.Errorf("Build =\n%s\nwant\n%s", got, want)
	}
	var back Document
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&back)
	if string(again) != want {
		t.Errorf("round trip =\n%s", again)
	}
	if p, err := doc.Policy("SynthCoreAI-S3-ReadWrite"); err != nil || len(p.Statements) != 2 || p.Name != "SynthCoreAI-S3-ReadWrite" {
		t.Errorf("Policy() = %v, %v", p, err)
	}
}

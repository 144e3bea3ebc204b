package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// nodeJSON renders a node tree as JSON, to turn merged corpus cases into
// standalone scenario documents for fuzz seeds.
func nodeJSON(n *node.Node) []byte {
	var b []byte
	var walk func(n *node.Node)
	walk = func(n *node.Node) {
		switch n.Kind {
		case node.Object:
			b = append(b, '{')
			for i, f := range n.Fields {
				if i > 0 {
					b = append(b, ',')
				}
				k, _ := json.Marshal(f.Key)
				b = append(b, k...)
				b = append(b, ':')
				walk(f.Value)
			}
			b = append(b, '}')
		case node.Array:
			b = append(b, '[')
			for i, it := range n.Items {
				if i > 0 {
					b = append(b, ',')
				}
				walk(it)
			}
			b = append(b, ']')
		case node.String:
			s, _ := json.Marshal(n.Text)
			b = append(b, s...)
		default:
			b = append(b, n.Text...)
		}
	}
	walk(n)
	return b
}

// FuzzParseScenario: any input is a scenario or a positioned error, never a
// panic; a scenario that parses decides and explains without panicking,
// the two agree, and the decision survives policy.Format.
func FuzzParseScenario(f *testing.F) {
	for _, cc := range loadConformance(f) {
		f.Add(nodeJSON(cc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScenario("fuzz.json", data)
		if err != nil {
			return
		}
		r := Decide(s.PolicySet(), s.Prepared())
		if ex := Explain(s.PolicySet(), s.Prepared()); ex.Decision != r.Decision {
			t.Fatalf("Explain %s, Decide %s", ex.Decision, r.Decision)
		}
		checkFormatStable(t, s, r.Decision)
	})
}

// FuzzDecide varies one identity policy and the request around the seeds'
// Lambda role: decisions never panic, Explain agrees, and re-printing the
// policy with policy.Format never changes the decision.
func FuzzDecide(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:engify/*"}]}`,
		"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf", "aws:SourceIp", "203.0.113.9")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::x/${aws:username}","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"a*"}}}]}`,
		"s3:GetObject", "arn:aws:s3:::x/alice", "aws:TagKeys", "ab")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"},"DateLessThan":{"aws:CurrentTime":"1700000000"},"NumericLessThanEqualsIfExists":{"s3:max-keys":"10"}}}]}`,
		"s3:ListBucket", "arn:aws:s3:::engify-ai-uploads", "aws:SourceIp", "2001:db8::1")
	f.Fuzz(func(t *testing.T, doc, action, resource, key, value string) {
		p, err := policy.Parse("fuzz.json", []byte(doc))
		if err != nil {
			return
		}
		set, err := Compile(Policies{Identity: []*policy.Policy{p}})
		if err != nil {
			return
		}
		req, err := Prepare(Request{
			Principal: "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag",
			Action:    action, Resource: resource,
			Context: map[string][]string{key: {value}, "aws:PrincipalTag/n" + strconv.Itoa(len(value)): {value}},
		})
		if err != nil {
			return
		}
		r := Decide(set, req)
		if ex := Explain(set, req); ex.Decision != r.Decision {
			t.Fatalf("Explain %s, Decide %s", ex.Decision, r.Decision)
		}
		out, err := policy.Format(p)
		if err != nil {
			return
		}
		q, err := policy.Parse("re.json", out)
		if err != nil {
			t.Fatalf("re-printed policy does not parse: %v\n%s", err, out)
		}
		set2, err := Compile(Policies{Identity: []*policy.Policy{q}})
		if err != nil {
			t.Fatalf("re-printed policy does not compile: %v\n%s", err, out)
		}
		if r2 := Decide(set2, req); r2.Decision != r.Decision {
			t.Fatalf("decision %s became %s after policy.Format:\n%s", r.Decision, r2.Decision, out)
		}
	})
}

// FuzzBatch feeds a line twice: the second time its policies come from the
// cache (the fast path), and its result must equal the first's.
func FuzzBatch(f *testing.F) {
	for i, cc := range loadConformance(f) {
		if i%5 == 0 {
			f.Add(nodeJSON(cc.doc))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\n\r") {
			return
		}
		in := append(append(append([]byte{}, line...), '\n'), line...)
		var out bytes.Buffer
		if _, err := RunBatch(context.Background(), bytes.NewReader(in), &out, BatchOptions{File: "f.jsonl"}); err != nil {
			return
		}
		res := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
		if len(res) != 2 {
			if len(bytes.TrimSpace(line)) == 0 {
				return
			}
			t.Fatalf("%d results", len(res))
		}
		var a, b BatchResult
		if json.Unmarshal(res[0], &a) != nil || json.Unmarshal(res[1], &b) != nil {
			t.Fatalf("results are not JSON:\n%s", out.Bytes())
		}
		same := (a.Error == "") == (b.Error == "") && (a.Decision == nil) == (b.Decision == nil) &&
			(a.Decision == nil || *a.Decision == *b.Decision)
		if !same {
			t.Fatalf("first and cached results differ:\n%s\n%s", res[0], res[1])
		}
	})
}

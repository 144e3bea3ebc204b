package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

// reportCPU reports CPU nanoseconds per operation and, from them, the
// operations per CPU-second (one core's throughput even when the machine
// is busy with other work). Run with -cpu 1 so GC shares the one core.
func reportCPU(b *testing.B, start time.Duration, perOp int) {
	used := processCPUTime() - start
	if used <= 0 || b.N == 0 {
		return
	}
	nsPerItem := float64(used.Nanoseconds()) / float64(b.N) / float64(perOp)
	b.ReportMetric(nsPerItem, "cpu-ns/item")
	b.ReportMetric(1e9/nsPerItem, "items/cpu-s")
}

func loadScenario(tb testing.TB, file string) *Scenario {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ParseScenario(file, data)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkDecide measures compiled decisions for the seeds' Lambda role
// (two identity policies, a boundary, two SCP levels). The allow path must
// not allocate.
func BenchmarkDecide(b *testing.B) {
	s := loadScenario(b, "testdata/scenarios/lambda-role.yaml")
	ps, err := Compile(s.Policies)
	if err != nil {
		b.Fatal(err)
	}
	requests := []struct {
		name string
		req  Request
		want Decision
	}{
		{"allow", s.Request, Allowed},
		{"implicitDeny", func() Request { r := s.Request; r.Action = "secretsmanager:PutSecretValue"; return r }(), ImplicitDeny},
		{"explicitDeny", func() Request {
			r := s.Request
			r.Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:engify/mongodb-uri-AbCdEf"
			return r
		}(), ExplicitDeny},
	}
	for _, rc := range requests {
		p, err := Prepare(rc.req)
		if err != nil {
			b.Fatal(err)
		}
		if got := Decide(ps, p).Decision; got != rc.want {
			b.Fatalf("%s: got %s, want %s", rc.name, got, rc.want)
		}
		b.Run(rc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPUTime()
			for b.Loop() {
				if Decide(ps, p).Decision != rc.want {
					b.Fatal("decision changed")
				}
			}
			reportCPU(b, cpu, 1)
		})
	}
}

// BenchmarkPrepare measures parsing a request (principal, action lookup,
// context values) once.
func BenchmarkPrepare(b *testing.B) {
	s := loadScenario(b, "testdata/scenarios/lambda-role.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Prepare(s.Request); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile measures compiling the Lambda role's five policies.
func BenchmarkCompile(b *testing.B) {
	s := loadScenario(b, "testdata/scenarios/lambda-role.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(s.Policies); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplain measures the explanation path (not the fast path).
func BenchmarkExplain(b *testing.B) {
	s := loadScenario(b, "testdata/scenarios/lambda-role.yaml")
	ps, _ := Compile(s.Policies)
	r := s.Request
	r.Action = "secretsmanager:PutSecretValue"
	p, _ := Prepare(r)
	b.ReportAllocs()
	for b.Loop() {
		Explain(ps, p)
	}
}

// batchInput builds n small JSON Lines scenarios: a handful of policy
// texts repeated (as real batches are) with requests that vary.
func batchInput(tb testing.TB, n int) []byte {
	tb.Helper()
	actions := []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue", "logs:PutLogEvents"}
	secrets := []string{"engify/mongodb-uri-AbCdEf", "engify/nextauth-secret-Zz9Yy8", "synthcoreai/ses-credentials-Q1w2E3"}
	var buf bytes.Buffer
	for i := range n {
		sc := map[string]any{
			"name": fmt.Sprintf("case-%d", i),
			"request": map[string]any{
				"principal": "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag",
				"action":    actions[i%len(actions)],
				"resource":  "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + secrets[i%len(secrets)],
			},
			"identityPolicies": []any{map[string]any{
				"name": "Engify-Lambda-Execution",
				"document": map[string]any{"Version": "2012-10-17", "Statement": []any{
					map[string]any{"Effect": "Allow", "Action": []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": "arn:aws:logs:*:*:*"},
					map[string]any{"Effect": "Allow", "Action": []string{"secretsmanager:GetSecretValue"}, "Resource": []string{"arn:aws:secretsmanager:*:*:secret:engify/*"}},
				}},
			}},
			"serviceControlPolicies": []any{[]any{map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}},
		}
		line, err := json.Marshal(sc)
		if err != nil {
			tb.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkBatch measures `simulate --batch` end to end: read, parse,
// compile (cached), decide and write, over an in-memory JSON Lines input.
func BenchmarkBatch(b *testing.B) {
	for _, n := range []int{100, 10000} {
		input := batchInput(b, n)
		b.Run(fmt.Sprintf("scenarios=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(input)))
			cpu := processCPUTime()
			for b.Loop() {
				st, err := RunBatch(context.Background(), bytes.NewReader(input), io.Discard, BatchOptions{File: "bench.jsonl"})
				if err != nil || st.Bad != 0 || st.Scenarios != n {
					b.Fatalf("%+v %v", st, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "scenarios/s")
			reportCPU(b, cpu, n)
		})
	}
}

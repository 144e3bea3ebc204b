package policy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// benchStatements are statements in the style of the seed policies: lists,
// single values, principals and conditions, so every decoder path runs.
var benchStatements = []string{
	`{
      "Sid": "ReadEngifySecrets%[1]d",
      "Effect": "Allow",
      "Action": [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret"
      ],
      "Resource": ["arn:aws:secretsmanager:*:*:secret:engify/*"]
    }`,
	`{
      "Sid": "LambdaLogs%[1]d",
      "Effect": "Allow",
      "Action": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents"
      ],
      "Resource": "arn:aws:logs:*:*:*"
    }`,
	`{
      "Sid": "ApiGatewayInvoke%[1]d",
      "Effect": "Allow",
      "Principal": {
        "Service": "apigateway.amazonaws.com"
      },
      "Action": "lambda:InvokeFunction",
      "Resource": "arn:aws:lambda:*:*:function:engify-*",
      "Condition": {
        "ArnLike": {
          "AWS:SourceArn": "arn:aws:execute-api:*:*:*"
        }
      }
    }`,
	`{
      "Sid": "ListUploads%[1]d",
      "Effect": "Allow",
      "Action": ["s3:ListBucket"],
      "Resource": ["arn:aws:s3:::engify-ai-uploads"],
      "Condition": {
        "StringLike": {
          "s3:prefix": ["users/*", "public/*"]
        },
        "Bool": {"aws:SecureTransport": true},
        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}
      }
    }`,
}

// benchPolicy builds a policy document of at least size bytes.
func benchPolicy(size int) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    ")
	for i := 0; b.Len() < size-40 || i == 0; i++ {
		if i > 0 {
			b.WriteString(",\n    ")
		}
		fmt.Fprintf(&b, benchStatements[i%len(benchStatements)], i)
	}
	b.WriteString("\n  ]\n}\n")
	return []byte(b.String())
}

// BenchmarkParse is the target "parse a 6 KB policy in ≤ 30 µs", decode
// included.
func BenchmarkParse(b *testing.B) {
	data := benchPolicy(6 << 10)
	benchParse(b, data)
}

func benchParse(b *testing.B, data []byte) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p, err := policy.Parse("bench.json", data)
		if err != nil || len(p.Problems) > 0 {
			b.Fatal(err, p.Problems)
		}
	}
}

func BenchmarkParseSizes(b *testing.B) {
	for _, size := range []int{1 << 10, 6 << 10, 64 << 10, 512 << 10} {
		data := benchPolicy(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) { benchParse(b, data) })
	}
}

// BenchmarkParseStages splits the 6 KB figure into its two stages.
func BenchmarkParseStages(b *testing.B) {
	data := benchPolicy(6 << 10)
	b.Run("ParseJSON", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := node.ParseJSON("bench.json", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	n, err := node.ParseJSON("bench.json", data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			policy.Decode(n, "bench.json", "")
		}
	})
	// References from the standard library, run beside ours so figures
	// taken on a busy machine can still be compared.
	b.Run("ref-encoding-json-Valid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("ref-encoding-json-Unmarshal-any", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A problem in the last statement: Parse's direct decoder reads almost
	// the whole document before it hands over to the tree path
	// (ParseJSON + Decode), which reports the problem. The worst case.
	last := strings.LastIndex(string(data), `"Effect"`)
	withProblem := []byte(string(data[:last]) + `"effect"` + string(data[last+len(`"Effect"`):]))
	b.Run("Parse-with-a-problem", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(withProblem)))
		for b.Loop() {
			p, err := policy.Parse("bench.json", withProblem)
			if err != nil || len(p.Problems) != 1 {
				b.Fatal(err, p.Problems)
			}
		}
	})
	p := policy.Decode(n, "bench.json", "")
	b.Run("Format", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := policy.Format(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseYAML parses the 6 KB policy's YAML rendering.
func BenchmarkParseYAML(b *testing.B) {
	var y strings.Builder
	y.WriteString("Version: \"2012-10-17\"\nStatement:\n")
	for i := 0; y.Len() < 6<<10; i++ {
		fmt.Fprintf(&y, "  - Sid: ReadEngifySecrets%d\n    Effect: Allow\n    Action:\n      - secretsmanager:GetSecretValue\n      - secretsmanager:DescribeSecret\n    Resource: [\"arn:aws:secretsmanager:*:*:secret:engify/*\"]\n    Condition:\n      StringLike:\n        s3:prefix: [users/*, public/*]\n", i)
	}
	data := []byte(y.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p, err := policy.Parse("bench.yaml", data)
		if err != nil || len(p.Problems) > 0 {
			b.Fatal(err, p.Problems)
		}
	}
}

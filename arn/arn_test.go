package arn

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want ARN
	}{
		{"secretsmanager secret with path", "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf",
			ARN{"aws", "secretsmanager", "us-east-1", "123456789012", "secret:engify/mongodb-uri-AbCdEf"}},
		{"s3 object: empty region and account", "arn:aws:s3:::engify-ai-uploads/users/a.txt",
			ARN{"aws", "s3", "", "", "engify-ai-uploads/users/a.txt"}},
		{"log stream: colons in resource", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:log-stream:x",
			ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:/aws/lambda/engify-rag:log-stream:x"}},
		{"AWS managed policy: account is aws", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
			ARN{"aws", "iam", "", "aws", "policy/service-role/AWSLambdaBasicExecutionRole"}},
		{"pattern with wildcards parses too", "arn:aws:lambda:*:*:function:engify-*",
			ARN{"aws", "lambda", "*", "*", "function:engify-*"}},
		{"china partition", "arn:aws-cn:s3:::bucket", ARN{"aws-cn", "s3", "", "", "bucket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		offset  int
		msgPart string
	}{
		{"empty", "", 0, `starts with "arn:"`},
		{"wrong prefix", "arm:aws:s3:::b", 2, `starts with "arn:"`},
		{"star is not an ARN", "*", 0, `starts with "arn:"`},
		{"five segments", "arn:aws:s3::bucket", 18, "missing resource segment"},
		{"three segments", "arn:aws:s3", 10, "missing region segment"},
		{"empty partition", "arn::s3:::b", 4, "empty partition"},
		{"empty service", "arn:aws::::b", 8, "empty service"},
		{"empty resource", "arn:aws:s3:::", 13, "empty resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Offset != tt.offset {
				t.Errorf("Offset = %d, want %d (%v)", pe.Offset, tt.offset, err)
			}
			if !strings.Contains(err.Error(), tt.msgPart) {
				t.Errorf("error %q does not say %q", err, tt.msgPart)
			}
		})
	}
}

// FuzzParse: Parse never panics, a parsed ARN prints back to its input, and
// an error's offset lies within the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf",
		"arn:aws:s3:::engify-ai-uploads/users/a.txt",
		"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:log-stream:x",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"arn:aws:s3::", "arn:", "", "*", "arn:aws:s3:::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("round trip %q → %q", s, a.String())
		}
		if a.Partition == "" || a.Service == "" || a.Resource == "" {
			t.Fatalf("accepted empty segment: %+v", a)
		}
		if strings.ContainsRune(a.Partition+a.Service+a.Region+a.Account, ':') {
			t.Fatalf("colon inside a leading segment: %+v", a)
		}
	})
}

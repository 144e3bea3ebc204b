package fromlogs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseErrorsHavePositions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src  string
		line, col  int
		msgContain string
	}{
		{"syntax", "{\"Records\": [\n  {\"eventName\": }\n]}", 2, 17, "not valid CloudTrail JSON"},
		{"not a trail", `{"Version": "2012-10-17"}`, 1, 1, "not a CloudTrail file"},
		{"bad gzip", "\x1f\x8bgarbage", 1, 1, "bad gzip"},
		{"event of wrong type", `{"Records": [{"eventName": 3}]}`, 1, 14, "Records[0]"},
		{"second event of wrong type", "{\"Records\": [\n  {\"eventName\": \"A\"},\n  {\"eventName\": 3}\n]}", 3, 3, "Records[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("trail.json", []byte(tc.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line != tc.line || se.Column != tc.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Column, tc.line, tc.col, err)
			}
		})
	}
}

func TestPrincipal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ typ, arn, issuer, want string }{
		{"AssumedRole", "arn:aws:sts::123456789012:assumed-role/app/i-1", "", "arn:aws:iam::123456789012:role/app"},
		{"AssumedRole", "arn:aws:sts::123456789012:assumed-role/app/i-1", "arn:aws:iam::123456789012:role/svc/app", "arn:aws:iam::123456789012:role/svc/app"},
		{"IAMUser", "arn:aws:iam::123456789012:user/engify-app-user", "", "arn:aws:iam::123456789012:user/engify-app-user"},
		{"AWSService", "", "", ""},
	} {
		if got := principal(tc.typ, tc.arn, tc.issuer); got != tc.want {
			t.Errorf("principal(%s, %s) = %q; want %q", tc.typ, tc.arn, got, tc.want)
		}
	}
	if RoleName("arn:aws:iam::123456789012:role/svc/app") != "app" {
		t.Error("RoleName must drop the path")
	}
}

// FuzzParse: no input makes the CloudTrail parser panic; errors are
// always *SyntaxError with a position.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/logs/*.json*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/r/s\"}}"}]}`))
	f.Add([]byte(`{"Records":[{"requestParameters":{"a":["x"],"b":{"c":"d"}},"resources":[{"ARN":""}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Parse("fuzz.json", data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error %v has no position", err)
			}
			return
		}
		for _, e := range evs {
			_ = e.Denied()
			_ = RoleName(e.Principal)
		}
	})
}

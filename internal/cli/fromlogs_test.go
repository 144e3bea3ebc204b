package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFromLogsCLI(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runFromLogs(context.Background(), fromLogsParams{
		files:      []string{"../generate/testdata/logs/trail-gzipped.json.gz", "../generate/testdata/logs/lookup-events.json"},
		configFile: synthCoreConfig(t), format: "cli"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--role-name synthcoreai-api", "aws iam create-policy", "SynthCoreAI-Lambda-ReadWrite"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFromLogsBadInput(t *testing.T) {
	t.Parallel()
	bad := t.TempDir() + "/bad.json"
	writeFile(t, bad, "{\"Records\": [\n  {\"eventName\": }\n]}")
	_, stderr, code := execCLI(t, "from-logs", bad)
	if code != 2 || !strings.Contains(stderr, "bad.json:2:") {
		t.Errorf("exit %d, stderr %q: want 2 and file:line:col", code, stderr)
	}
	notTrail := t.TempDir() + "/policy.json"
	writeFile(t, notTrail, `{"Version": "2012-10-17", "Statement": []}`)
	if _, stderr, code := execCLI(t, "from-logs", notTrail); code != 2 || !strings.Contains(stderr, "not a CloudTrail file") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

package generate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/fromlogs"
)

func readEvents(t *testing.T, files ...string) []fromlogs.Event {
	t.Helper()
	var all []fromlogs.Event
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := fromlogs.Parse(filepath.Base(f), data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
	}
	return all
}

func TestFromLogsGolden(t *testing.T) {
	t.Parallel()
	evs := readEvents(t, "testdata/logs/trail.json", "testdata/logs/lookup-events.json")
	res, err := FromLogs(evs, Options{Config: synthCore(t)}, LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/logs/expected.json", marshal(t, res.JSON()))

	if len(res.Policies) != 2 || res.Skipped != 1 {
		t.Fatalf("%d policies, %d skipped; want 2 and 1", len(res.Policies), res.Skipped)
	}
	api := res.Policies[0]
	if api.Principal != "arn:aws:iam::123456789012:role/service/synthcoreai-api" || api.Role != "synthcoreai-api" {
		t.Errorf("principal %q role %q: both sessions must group under the role", api.Principal, api.Role)
	}
	if got := api.Document.Actions(); !slices.Equal(got, []string{"s3:PutObject", "s3:GetObject", "secretsmanager:GetSecretValue"}) {
		t.Errorf("actions = %v (DeleteObject was denied and must be left out)", got)
	}
	if len(api.Denied) != 1 || api.Denied[0].Action != "s3:DeleteObject" {
		t.Errorf("denied = %+v", api.Denied)
	}
	for _, p := range res.Policies {
		if !p.Proof.OK {
			t.Errorf("%s: %s", p.Principal, p.Proof.Summary())
		}
	}
	user := res.Policies[1]
	if got := user.Document.Actions(); !slices.Equal(got, []string{"lambda:UpdateFunctionCode", "sqs:SendMessage", "secretsmanager:DescribeSecret"}) {
		t.Errorf("user actions = %v", got)
	}
}

func TestFromLogsGzipSameAsPlain(t *testing.T) {
	t.Parallel()
	plain := readEvents(t, "testdata/logs/trail.json")
	gz := readEvents(t, "testdata/logs/trail-gzipped.json.gz")
	if len(plain) != len(gz) || len(plain) != 7 {
		t.Fatalf("%d plain events, %d gzipped; want 7 each", len(plain), len(gz))
	}
	for i := range plain {
		if plain[i].Name != gz[i].Name || plain[i].Principal != gz[i].Principal {
			t.Errorf("event %d differs: %+v vs %+v", i, plain[i], gz[i])
		}
	}
}

func TestFromLogsIncludeDenied(t *testing.T) {
	t.Parallel()
	evs := readEvents(t, "testdata/logs/trail.json")
	res, err := FromLogs(evs, Options{Config: synthCore(t)}, LogsOptions{IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Policies[0].Document.Actions(), "s3:DeleteObject") {
		t.Errorf("--include-denied must grant the denied call: %v", res.Policies[0].Document.Actions())
	}
}

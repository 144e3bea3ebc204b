package secret

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/iamguard/iamguard/finding"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"short is hidden entirely", "ab", "**"},
		{"six keeps two", "abcdef", "a****f"},
		{"20-char key id keeps a third", unmark("AKIA§RZPUZDIKFHJZDEGX"), "AKI**************EGX"},
		{"long keeps 4+4", strings.Repeat("x", 10) + strings.Repeat("y", 30), "xxxx" + strings.Repeat("*", 32) + "yyyy"},
		{"runes not bytes", "ééééééééé", "éé******é"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Redact(c.in)
			if got != c.want {
				t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
			}
			kept := 0
			for _, r := range got {
				if r != '*' {
					kept++
				}
			}
			if n := len([]rune(c.in)); kept > n/3 || kept > 8 {
				t.Errorf("Redact(%q) keeps %d of %d characters", c.in, kept, n)
			}
		})
	}
}

func TestAccessKeyAccount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, keyID, want string
		ok                bool
	}{
		// Published worked example (Aidan Steele, "AWS Access Key ID formats", 2020).
		{"published example", unmark("ASIA§Y34FZKBOKMUTVV7A"), "609629065308", true},
		{"derived for 123456789012", unmark("AKIA§RZPUZDIKFHJZDEGX"), "123456789012", true},
		{"derived for 111122223333", unmark("AKIA§RTX3GSDSZINCF32E"), "111122223333", true},
		{"old format encodes no account", unmark("AKIA§IOSFODNN7EXAMPLE"), "", false},
		{"not base32", "AKIA01890189018901890", "", false},
		{"too short", "AKIA", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := AccessKeyAccount(c.keyID)
			if got != c.want || ok != c.ok {
				t.Errorf("AccessKeyAccount(%q) = %q, %v; want %q, %v", c.keyID, got, ok, c.want, c.ok)
			}
		})
	}
}

// TestAccessKeyAccountRoundTrip encodes account numbers the way key IDs carry
// them (format bit, 40-bit account, 7 low bits, base32) and decodes them back.
func TestAccessKeyAccountRoundTrip(t *testing.T) {
	t.Parallel()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for _, account := range []uint64{0, 1, 123456789012, 999999999999, 1<<40 - 1} {
		v := (uint64(1)<<47 | account<<7 | 0x55) << 2
		id := []byte("AKIA")
		for i := 9; i >= 0; i-- {
			id = append(id, alphabet[v>>(5*uint(i))&31])
		}
		id = append(id, "ABCDEF"...)
		got, ok := AccessKeyAccount(string(id))
		want := fmt.Sprintf("%012d", account)
		if !ok || got != want {
			t.Errorf("%s: got %q, %v; want %q", id, got, ok, want)
		}
	}
}

func TestScanBytesPositionsAndPairs(t *testing.T) {
	t.Parallel()
	sc := New(Options{})
	cases := []struct {
		name, file, text string
		want             []string // "line:col CODE"
		wantInMessage    []string
	}{
		{
			name:          "seed 001 key id with its secret two lines down",
			file:          "src/config.ts",
			text:          "// config\nconst AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX';\nconst region = 'us-east-1';\nconst AWS_SECRET = 'El2hpChYgCfrL1sp§NxnyVmihA+2O76UMFxFkM+R5';\n",
			want:          []string{"2:28 AWS_ACCESS_KEY_ID", "4:21 AWS_SECRET_ACCESS_KEY"},
			wantInMessage: []string{"of AWS account 123456789012", "paired with access key ID AKI**************EGX"},
		},
		{
			name: "hex digest near a key id is not its secret",
			text: "key = AKIA§RZPUZDIKFHJZDEGX\nsha1 = 0a4d55a8d778e5022fab701977c5d840bbc486d0\n",
			want: []string{"1:7 AWS_ACCESS_KEY_ID"},
		},
		{
			name: "columns count runes",
			text: "// clé: «AKIA§RZPUZDIKFHJZDEGX»\n",
			want: []string{"1:10 AWS_ACCESS_KEY_ID"},
		},
		{
			name:          "seed 000 secrets in an env file",
			file:          "app/.env.local",
			text:          "MONGODB_URI=mongodb+srv://engify-app:Ze2qpUWnoVPDF2§yeE6RsXcNO@cluster0.abcde.mongodb.net/engify\nNEXTAUTH_SECRET=pmuEEdx63BQJEnjEEX§psORg6NymWRyt3TTf5TtNxmDM=\nSENDGRID_API_KEY=SG.§_kv5ZJr3J1TWDtkwtDDb-x.HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-\nTWILIO_AUTH_TOKEN=eff9243a8f50§6b40928b5b7a767c76fb\nAPI_KEY_ENCRYPTION_KEY=3f9a7c§21d4e8b06f5a9c3e7d1b2f4a60\n",
			want:          []string{"1:38 DATABASE_URI_WITH_PASSWORD", "2:17 NEXTAUTH_SECRET", "3:18 SENDGRID_API_KEY", "4:19 TWILIO_AUTH_TOKEN", "5:24 ENV_SECRET"},
			wantInMessage: []string{"MongoDB connection URI", "(user engify-app)"},
		},
		{
			name: "binary files are skipped",
			text: "\x00\x01AKIA§RZPUZDIKFHJZDEGX",
		},
		{
			name: "generic is off in minified bundles but formats are on",
			file: "dist/app.min.js",
			text: "var a={apiKey:\"Ze2qpUWnoVPD§F2yeE6RsXcNO\",k:\"AKIA§RZPUZDIKFHJZDEGX\"};",
			want: []string{"1:45 AWS_ACCESS_KEY_ID"},
		},
		{
			name: "lock files skip generic",
			file: "web/yarn.lock",
			text: "  token \"Ze2qpUWnoVPD§F2yeE6RsXcNO\"\n  authToken: \"Ze2qpUWnoVPD§F2yeE6RsXcNO\"\n",
		},
		{
			name:          "private key points at its header",
			file:          "deploy/key.pem",
			text:          "\n\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIoXe5EGbk0S0gDxGT9bCKTXOr2yJ3SIgYVNW/2b2py4Hr9qlwhnx1+dd\n-----END EC PRIVATE KEY-----\n",
			want:          []string{"3:1 PRIVATE_KEY"},
			wantInMessage: []string{"hardcoded EC private key"},
		},
		{
			name:          "private key in a string literal: body starts after the \\n escape",
			text:          "const key = \"-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSfNmO6wK93mYCmvo\\n-----END PRIVATE KEY-----\"",
			want:          []string{"1:14 PRIVATE_KEY"},
			wantInMessage: []string{"body MIGH*"},
		},
		{
			// Fuzz regression (testdata/fuzz/FuzzScanBytes/1a7c7fe7e3f2297f): the
			// fix named the second token after the first, showing it in full.
			name: "a neighbouring secret never names the fix",
			text: "twilio 000000000010177118120892bc6f5da2 0000000010221100A792A08B97C8ac1b",
			want: []string{"1:8 TWILIO_AUTH_TOKEN", "1:41 TWILIO_AUTH_TOKEN"},
		},
		{
			name: "stripe test key is a warning code of its own",
			text: "k = 'sk_test_§5DQL05HA064GiIjHGb3CXlMa'",
			want: []string{"1:6 STRIPE_TEST_KEY"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			file := c.file
			if file == "" {
				file = "x.txt"
			}
			text := unmark(c.text)
			got := sc.ScanBytes(file, []byte(text))
			var gotKeys []string
			for _, f := range got {
				gotKeys = append(gotKeys, formatPos(f))
			}
			if strings.Join(gotKeys, ", ") != strings.Join(c.want, ", ") {
				t.Fatalf("got %v, want %v:%s", gotKeys, c.want, describe(got))
			}
			all := describe(got)
			for _, w := range c.wantInMessage {
				if !strings.Contains(all, w) {
					t.Errorf("messages lack %q:%s", w, all)
				}
			}
			assertNoSecretShown(t, text, got)
		})
	}
}

func formatPos(f finding.Finding) string {
	return strings.Join([]string{itoa(f.Line) + ":" + itoa(f.Column), f.Code}, " ")
}

func itoa(i int) string { return fmt.Sprint(i) }

// assertNoSecretShown checks that no message or fix contains any
// secret-looking run of 12+ characters of the input in full.
func assertNoSecretShown(t *testing.T, text string, fs []finding.Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Code == SkippedCode {
			continue
		}
		for _, tok := range strings.FieldsFunc(text, func(r rune) bool {
			return strings.ContainsRune(" \n\t'\"=:;,(){}@«»", r)
		}) {
			if len(tok) >= 12 && (strings.Contains(f.Message, tok) || strings.Contains(f.Fix, tok)) && hasLetterAndDigit([]byte(tok)) {
				t.Errorf("%s message shows %q: %s", f.Code, tok, f.Message)
			}
		}
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	key := unmark("AKIA§RZPUZDIKFHJZDEGX")
	const fixture = "testdata/fixtures/creds.txt"
	fp := Fingerprint("src/a.ts", CodeAWSAccessKeyID, key)
	cases := []struct {
		name, file, text string
		allow            []AllowRule
		wantSuppressed   string
		wantInMessage    string
	}{
		{name: "none", file: "src/a.ts", text: "k = '" + key + "'"},
		{name: "inline same line", file: "src/a.ts", text: "k = '" + key + "' // iamguard:ignore AWS_ACCESS_KEY_ID revoked in 2024, kept for the parser test",
			wantSuppressed: "revoked in 2024, kept for the parser test"},
		{name: "inline line above, block comment", file: "src/a.ts", text: "/* iamguard:ignore AWS_ACCESS_KEY_ID,PRIVATE_KEY deactivated key */\nk = '" + key + "'",
			wantSuppressed: "deactivated key"},
		{name: "inline without reason does not count", file: "src/a.ts", text: "# iamguard:ignore AWS_ACCESS_KEY_ID\nk = '" + key + "'",
			wantInMessage: "the iamguard:ignore on line 1 gives no reason"},
		{name: "inline for another code", file: "src/a.ts", text: "k = '" + key + "' // iamguard:ignore GENERIC_SECRET fine"},
		{name: "inline two lines above does not reach", file: "src/a.ts", text: "// iamguard:ignore AWS_ACCESS_KEY_ID ok\n\nk = '" + key + "'"},
		{name: "allow by path glob", file: fixture, text: "k = '" + key + "'",
			allow: []AllowRule{{Path: "testdata/**", Reason: "test fixtures"}}, wantSuppressed: "test fixtures"},
		{name: "allow by path glob anchored misses", file: fixture, text: "k = '" + key + "'",
			allow: []AllowRule{{Path: "/fixtures/**", Reason: "x"}}},
		{name: "allow by fingerprint", file: "src/a.ts", text: "k = '" + key + "'",
			allow: []AllowRule{{Fingerprint: fp, Reason: "known revoked key"}}, wantSuppressed: "known revoked key"},
		{name: "allow by path and other code misses", file: fixture, text: "k = '" + key + "'",
			allow: []AllowRule{{Path: "testdata/", Code: "PRIVATE_KEY", Reason: "x"}}},
		{name: "allow without reason does not count", file: fixture, text: "k = '" + key + "'",
			allow: []AllowRule{{Path: "**/*.txt"}}, wantInMessage: "an allow rule matches but gives no reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := New(Options{Allow: c.allow}).ScanBytes(c.file, []byte(c.text))
			if len(got) != 1 {
				t.Fatalf("want 1 finding, got:%s", describe(got))
			}
			if got[0].Suppressed != c.wantSuppressed {
				t.Errorf("Suppressed = %q, want %q", got[0].Suppressed, c.wantSuppressed)
			}
			if c.wantInMessage != "" && !strings.Contains(got[0].Message, c.wantInMessage) {
				t.Errorf("message %q lacks %q", got[0].Message, c.wantInMessage)
			}
			if got[0].Fingerprint != Fingerprint(c.file, CodeAWSAccessKeyID, key) {
				t.Errorf("finding fingerprint %q, want %q", got[0].Fingerprint, Fingerprint(c.file, CodeAWSAccessKeyID, key))
			}
		})
	}
}

func TestMatchPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, file string
		want          bool
	}{
		{"testdata/**", "crypto/x509/testdata/a.pem", true},
		{"**/testdata/**", "testdata/a.pem", true},
		{"/testdata/**", "crypto/testdata/a.pem", false},
		{"/crypto/**/*.pem", "crypto/x509/testdata/a.pem", true},
		{"*.pem", "a/b/c.pem", true},
		{"*.pem", "a/b/c.pem.txt", false},
		{"docs/", "docs/x/y.md", true},
		{"src/*.go", "src/x/y.go", false},
		{"[", "x", false},
	}
	for _, c := range cases {
		t.Run(c.pattern+" "+c.file, func(t *testing.T) {
			t.Parallel()
			if got := MatchPath(c.pattern, c.file); got != c.want {
				t.Errorf("MatchPath(%q, %q) = %v, want %v", c.pattern, c.file, got, c.want)
			}
		})
	}
}

func TestScanFS(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"repo/src/config.ts":        {Data: []byte(unmark("const AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX';\n"))},
		"repo/src/ok.ts":            {Data: []byte("const k = process.env.AWS_ACCESS_KEY_ID;\n")},
		"repo/.env":                 {Data: []byte(unmark("NEXTAUTH_SECRET=pmuEEdx63BQJEnjEEX§psORg6NymWRyt3TTf5TtNxmDM=\n"))},
		"repo/.git/config":          {Data: []byte(unmark("token = ghp_§V8gz4FkQ1okTBGzvAmwufUxbvJDCTbyvHNsG\n"))},
		"repo/img.png":              {Data: []byte(unmark("\x89PNG\x00\x00AKIA§RZPUZDIKFHJZDEGX"))},
		"repo/big.log":              {Data: []byte(strings.Repeat("a", 2048))},
		"repo/testdata/fixture.pem": {Data: []byte("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSfNmO6wK93mYCmvo\n-----END PRIVATE KEY-----\n")},
	}
	for _, workers := range []int{1, 4} {
		sc := New(Options{Workers: workers, MaxFileSize: 1024, Allow: []AllowRule{{Path: "testdata/**", Reason: "test fixtures"}}})
		got, err := sc.ScanFS(context.Background(), fsys, "repo")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, f := range got {
			k := f.File + ":" + formatPos(f)
			if f.Suppressed != "" {
				k += " (suppressed)"
			}
			keys = append(keys, k)
		}
		want := "repo/.env:1:17 NEXTAUTH_SECRET, repo/big.log:0:0 SECRET_SCAN_SKIPPED, repo/src/config.ts:1:28 AWS_ACCESS_KEY_ID, repo/testdata/fixture.pem:1:1 PRIVATE_KEY (suppressed)"
		if strings.Join(keys, ", ") != want {
			t.Errorf("workers=%d:\n got %s\nwant %s", workers, strings.Join(keys, ", "), want)
		}
	}
	if _, err := New(Options{}).ScanFS(context.Background(), fsys, "missing"); err == nil {
		t.Error("scanning a missing root: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(Options{}).ScanFS(ctx, fsys, "repo"); err == nil {
		t.Error("cancelled context: want an error")
	}
}

func TestScanHistory(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unmark(text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("src/config.ts", "// config\nconst region = 'us-east-1';\n")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	write("src/config.ts", "// config\nconst region = 'us-east-1';\nconst AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX';\n")
	git("commit", "-q", "-am", "add key")
	write("src/config.ts", "// config\nconst region = 'us-east-1';\nconst AWS_ACCESS_KEY_ID = process.env.AWS_ACCESS_KEY_ID;\n")
	git("commit", "-q", "-am", "remove key")
	rev, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD~1").Output()
	if err != nil {
		t.Fatal(err)
	}
	got, err := New(Options{}).ScanHistory(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || formatPos(got[0]) != "3:28 AWS_ACCESS_KEY_ID" || got[0].File != "src/config.ts" {
		t.Fatalf("got:%s", describe(got))
	}
	if want := "in commit " + strings.TrimSpace(string(rev)); !strings.Contains(got[0].Message, want) {
		t.Errorf("message %q lacks %q", got[0].Message, want)
	}
	if _, err := New(Options{}).ScanHistory(context.Background(), filepath.Join(dir, "missing")); err == nil {
		t.Error("missing repository: want an error")
	}
}

// TestGolden scans testdata/corpus (with '§' removed) and compares every
// finding (as JSON) with testdata/corpus.golden.json; run with -update to
// rewrite it.
func TestGolden(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{}
	err := filepath.WalkDir("testdata/corpus", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel("testdata/corpus", p)
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: []byte(unmark(string(data)))}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	allow := []AllowRule{{Path: "testdata/**", Reason: "test fixtures"}}
	got, err := New(Options{Workers: 2, Allow: allow}).ScanFS(context.Background(), fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	const golden = "testdata/corpus.golden.json"
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(data) {
		t.Errorf("findings differ from %s (run go test -update):\n%s", golden, data)
	}
}

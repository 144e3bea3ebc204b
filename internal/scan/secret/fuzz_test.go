package secret

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScanBytes checks the scanner's promises on arbitrary input: no panic,
// every finding's line and column inside the input, and no message or fix
// holding the secret it reports in full.
func FuzzScanBytes(f *testing.F) {
	for _, d := range detectors() {
		for _, s := range append(d.truePositives, d.falsePositives...) {
			f.Add(s.fileName(), unmark(s.text))
		}
	}
	f.Add(".env", "A=1\nB_TOKEN=\"\\\"\nC_SECRET=`x")
	f.Add("x", "-----BEGIN PRIVATE KEY-----")
	f.Add("x", "iamguard:ignore")
	sc := New(Options{Allow: []AllowRule{{Path: "**/*.env", Reason: "fuzz"}}})
	f.Fuzz(func(t *testing.T, file, text string) {
		data := []byte(text)
		found := sc.ScanBytes(file, data)
		lines := strings.Split(text, "\n")
		for _, fd := range found {
			if fd.Line < 1 || fd.Line > len(lines) {
				t.Fatalf("%s: line %d outside 1..%d", fd.Code, fd.Line, len(lines))
			}
			if n := utf8.RuneCountInString(lines[fd.Line-1]); fd.Column < 1 || fd.Column > n+1 {
				t.Fatalf("%s: column %d outside 1..%d on line %d", fd.Code, fd.Column, n+1, fd.Line)
			}
		}
		// Re-run the matches to learn each secret and check it is hidden.
		sf := fileScan{file: file, data: data, env: isEnvFile(file), lock: isLockFile(file), lastIdent: -1}
		if isBinary(data) {
			return
		}
		sc.pre.scanFunc(data, func(anchor, at int) {
			for _, d := range sc.anchorDetectors[anchor] {
				d.find(&sf, at)
			}
		})
		for _, m := range sf.matches {
			secret := sf.secret(m)
			for _, fd := range found {
				if strings.Contains(fd.Message, secret) || strings.Contains(fd.Fix, secret) {
					t.Fatalf("%s shows the secret %q in full: %s", fd.Code, secret, fd.Message)
				}
			}
		}
	})
}

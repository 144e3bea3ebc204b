// Package secret finds hardcoded secrets in source trees and git history.
//
// It reads each file once: a keyword prefilter (an Aho–Corasick automaton
// over anchors such as "AKIA", "-----BEGIN", "SG." and secret-ish words)
// finds candidate spots in one pass, and only there do detectors run their
// exact checks (shape, entropy, placeholders). Findings never carry a secret
// in full: messages show it through Redact, and allowlists match a
// Fingerprint instead of the value.
package secret

import (
	"bytes"
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iamguard/iamguard/finding"
)

// Options configure a Scanner. The zero value is usable.
type Options struct {
	// Allow suppresses findings by path glob, fingerprint and/or code. A
	// suppressed finding is still reported, with Suppressed set to the
	// rule's Reason; a rule without a reason suppresses nothing.
	Allow []AllowRule
	// Workers is the number of files scanned at once by ScanFS; default
	// runtime.NumCPU().
	Workers int
	// MaxFileSize skips larger files (with a SECRET_SCAN_SKIPPED note);
	// default 10 MiB.
	MaxFileSize int64
}

// AllowRule matches findings whose file matches the Path glob, whose
// fingerprint equals Fingerprint and whose code equals Code; empty fields
// match anything, but a rule with all three empty matches nothing.
//
// Path is a slash-separated glob: '*' and '?' stay within one segment, "**"
// spans any number of segments, a trailing '/' means "everything below". A
// pattern that starts with '/' is anchored at the scan root; otherwise it may
// match at any depth, so "testdata/**" covers "crypto/x509/testdata/a.pem".
type AllowRule struct {
	Path        string `json:"path,omitempty" yaml:"path,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty" yaml:"fingerprint,omitempty"`
	Code        string `json:"code,omitempty" yaml:"code,omitempty"`
	Reason      string `json:"reason" yaml:"reason"`
}

// DefaultMaxFileSize is the file size above which ScanFS skips a file.
const DefaultMaxFileSize = 10 << 20

// SkippedCode is the code of the note ScanFS reports for a file it could not
// or would not read (too large, unreadable).
const SkippedCode = "SECRET_SCAN_SKIPPED"

// Scanner holds the compiled detectors and prefilter. It is immutable after
// New and safe for concurrent use.
type Scanner struct {
	opts      Options
	detectors []*detector
	pre       *prefilter
	// anchorDetectors[i] lists the detectors that anchor i triggers.
	anchorDetectors [][]*detector
}

// New compiles the detectors once.
func New(opts Options) *Scanner {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	s := &Scanner{opts: opts, detectors: detectors()}
	var anchors []string
	index := map[string]int{}
	for _, d := range s.detectors {
		for _, a := range d.anchors {
			a = strings.ToLower(a)
			i, ok := index[a]
			if !ok {
				i = len(anchors)
				index[a] = i
				anchors = append(anchors, a)
				s.anchorDetectors = append(s.anchorDetectors, nil)
			}
			s.anchorDetectors[i] = append(s.anchorDetectors[i], d)
		}
	}
	s.pre = newPrefilter(anchors)
	return s
}

// binarySniffLen is how much of a file is searched for a NUL byte.
const binarySniffLen = 8 << 10

func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), binarySniffLen)], 0) >= 0
}

// ScanBytes scans one file's contents; file names it in findings and decides
// file-type rules (env files, lock files, minified bundles). Binary content
// (a NUL byte in the first 8 KiB) yields no findings.
func (s *Scanner) ScanBytes(file string, data []byte) []finding.Finding {
	if len(data) == 0 || isBinary(data) {
		return nil
	}
	sc := fileScan{file: file, data: data, env: isEnvFile(file), lastIdent: -1}
	sc.lock = isLockFile(file)
	s.pre.scanFunc(data, func(anchor int, at int) {
		for _, d := range s.anchorDetectors[anchor] {
			d.find(&sc, at)
		}
	})
	return s.finish(&sc)
}

// match is a detector's raw result, before positions, messages and
// suppressions are worked out.
type match struct {
	code     string
	severity finding.Severity
	// pos is where the finding points (the secret's start, or the start of
	// a PEM block); [start, end) is the secret itself.
	pos, start, end int
	// what names the secret for people ("AWS access key ID").
	what string
	// detail follows the redacted secret in the message.
	detail string
	// name is the variable or key the secret is assigned to, when known; it
	// names the Secrets Manager secret the fix suggests.
	name string
}

// fileScan is the per-call state of ScanBytes.
type fileScan struct {
	file    string
	data    []byte
	env     bool
	lock    bool
	matches []match
	// lastIdent is the start of the identifier the generic detector looked at
	// last, so that "secret_token" is judged once, not once per keyword.
	lastIdent int
	minified  int8 // 0 unknown, 1 yes, -1 no
}

// add records a match; detectors set pos, start and end.
func (sc *fileScan) add(m match) { sc.matches = append(sc.matches, m) }

func (sc *fileScan) secret(m match) string { return string(sc.data[m.start:m.end]) }

// isMinified reports whether the file looks like a minified bundle, where
// generic "name = value" heuristics drown in noise.
func (sc *fileScan) isMinified() bool {
	if sc.minified == 0 {
		sc.minified = -1
		base := strings.ToLower(path.Base(sc.file))
		switch {
		case strings.HasSuffix(base, ".min.js"), strings.HasSuffix(base, ".min.css"),
			strings.HasSuffix(base, ".min.mjs"), strings.HasSuffix(base, ".bundle.js"):
			sc.minified = 1
		case strings.HasSuffix(base, ".js"), strings.HasSuffix(base, ".mjs"), strings.HasSuffix(base, ".cjs"),
			strings.HasSuffix(base, ".css"):
			head := sc.data[:min(len(sc.data), 64<<10)]
			for line := range bytes.SplitSeq(head, []byte{'\n'}) {
				if len(line) >= 1000 {
					sc.minified = 1
					break
				}
			}
		}
	}
	return sc.minified == 1
}

func isEnvFile(file string) bool {
	base := path.Base(file)
	return base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env") || base == ".envrc"
}

// lockFiles hold integrity hashes and resolved URLs by the thousand; the
// generic detectors skip them (format detectors still run).
var lockFiles = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"bun.lock": true, "go.sum": true, "Cargo.lock": true, "poetry.lock": true, "Pipfile.lock": true,
	"composer.lock": true, "Gemfile.lock": true, "uv.lock": true, "flake.lock": true,
}

func isLockFile(file string) bool { return lockFiles[path.Base(file)] }

// finish turns matches into findings: drops duplicates and generic matches
// that a format detector explains better, computes positions, messages,
// fingerprints and suppressions.
func (s *Scanner) finish(sc *fileScan) []finding.Finding {
	if len(sc.matches) == 0 {
		return nil
	}
	ms := sc.matches
	// Every matched secret, including those of matches dropped below, is
	// hidden from every message.
	secrets := make([]string, 0, len(ms))
	for _, m := range ms {
		secrets = append(secrets, sc.secret(m))
	}
	slices.Sort(secrets)
	secrets = slices.Compact(secrets)
	slices.SortStableFunc(ms, func(a, b match) int {
		if a.pos != b.pos {
			return a.pos - b.pos
		}
		return strings.Compare(a.code, b.code)
	})
	ms = slices.CompactFunc(ms, func(a, b match) bool { return a.pos == b.pos && a.code == b.code })
	ms = slices.DeleteFunc(ms, func(g match) bool {
		if !isGenericCode(g.code) {
			return false
		}
		for _, m := range ms {
			if !isGenericCode(m.code) && m.start < g.end && g.start < m.end {
				return true
			}
		}
		return false
	})

	out := make([]finding.Finding, 0, len(ms))
	lines := lineCursor{data: sc.data, line: 1}
	for _, m := range ms {
		line, lineStart := lines.advance(m.pos)
		col := utf8.RuneCount(sc.data[lineStart:m.pos]) + 1
		secret := sc.secret(m)
		fp := Fingerprint(sc.file, m.code, secret)
		msg := fmt.Sprintf("%s %s%s", m.what, Redact(secret), m.detail)
		f := finding.Finding{
			Code:        m.code,
			Severity:    m.severity,
			File:        sc.file,
			Line:        line,
			Column:      col,
			Fix:         fixFor(m.code, m.name),
			Fingerprint: fp,
		}
		f.Message = s.applySuppressions(&f, msg, fp, sc.data, lineStart, line)
		out = append(out, f)
	}
	// Names in fixes and details come from the text around a secret, which
	// may be another secret: hide every secret of the file everywhere.
	for _, secret := range secrets {
		for i := range out {
			out[i].Message = hideSecret(out[i].Message, secret)
			out[i].Fix = hideSecret(out[i].Fix, secret)
		}
	}
	return out
}

// lineCursor turns increasing byte offsets into line numbers in one pass.
type lineCursor struct {
	data      []byte
	off       int
	line      int
	lineStart int
}

func (c *lineCursor) advance(to int) (line, lineStart int) {
	for c.off < to {
		i := bytes.IndexByte(c.data[c.off:to], '\n')
		if i < 0 {
			c.off = to
			break
		}
		c.off += i + 1
		c.line++
		c.lineStart = c.off
	}
	return c.line, c.lineStart
}

func isGenericCode(code string) bool {
	return code == CodeGenericSecret || code == CodeEnvSecret || code == CodeNextAuthSecret
}

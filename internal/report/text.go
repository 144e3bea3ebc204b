package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Text writes findings for people: "file:line:col: severity CODE: message",
// the source line, a caret under the column, and the fix.
type Text struct {
	// ReadFile loads sources for excerpts; nil prints no excerpts.
	ReadFile func(string) ([]byte, error)
}

// Report implements Reporter.
func (t Text) Report(w io.Writer, r Result) error {
	bw := bufio.NewWriter(w)
	sources := map[string][][]byte{}
	lineOf := func(file string, line int) ([]byte, bool) {
		if t.ReadFile == nil || file == "" || line < 1 {
			return nil, false
		}
		lines, ok := sources[file]
		if !ok {
			data, err := t.ReadFile(file)
			if err == nil {
				lines = bytes.Split(data, []byte("\n"))
			}
			sources[file] = lines
		}
		if line > len(lines) {
			return nil, false
		}
		return bytes.TrimRight(lines[line-1], "\r"), true
	}
	for _, f := range sortedCopy(r.Findings) {
		loc := f.File
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
		}
		if loc != "" {
			loc += ": "
		}
		sup := ""
		if f.Suppressed != "" {
			sup = " (suppressed: " + f.Suppressed + ")"
		}
		fmt.Fprintf(bw, "%s%s %s: %s%s\n", loc, f.Severity, f.Code, f.Message, sup)
		if src, ok := lineOf(f.File, f.Line); ok && utf8.Valid(src) && len(src) <= 300 {
			fmt.Fprintf(bw, "    %s\n", expandTabs(src))
			fmt.Fprintf(bw, "    %s^\n", caretPad(src, f.Column))
		}
		if f.Fix != "" {
			fmt.Fprintf(bw, "    fix: %s\n", f.Fix)
		}
	}
	s := Summarize(r)
	if s.Total == 0 && s.Suppressed == 0 {
		fmt.Fprintf(bw, "no findings (%s)\n", plural(s.Files, "file"))
	} else {
		parts := []string{}
		for _, sev := range []string{"error", "security", "warning", "suggestion"} {
			if n := s.BySeverity[sev]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
		if s.Suppressed > 0 {
			parts = append(parts, fmt.Sprintf("%d suppressed", s.Suppressed))
		}
		fmt.Fprintf(bw, "%s in %s: %s\n", plural(s.Total, "finding"), plural(s.Files, "file"), strings.Join(parts, ", "))
	}
	return bw.Flush()
}

// plural is "1 finding", "2 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func expandTabs(b []byte) string { return strings.ReplaceAll(string(b), "\t", "    ") }

// caretPad returns the spaces that put a caret under column col (1-based,
// counted in code points), keeping tabs as wide as expandTabs makes them.
func caretPad(src []byte, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range string(src) {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteString("    ")
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	return b.String()
}

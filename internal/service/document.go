package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// Document is policy, scenario or change content as a caller sends it:
// either a JSON string holding the JSON or YAML text (positions then point
// into that text), or the JSON value itself (an object), which is
// re-indented with two spaces so that line numbers in findings point at
// that pretty-printed form.
type Document []byte

// UnmarshalJSON accepts a string of text or any JSON value.
func (d *Document) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*d = nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Document(s)
	default:
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err != nil {
			return err
		}
		buf.WriteByte('\n')
		*d = Document(buf.Bytes())
	}
	return nil
}

// MarshalJSON writes the text as a JSON string, so that a document read
// from either form round-trips.
func (d Document) MarshalJSON() ([]byte, error) {
	if d == nil {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// nameSeparators turns a policy name into a file base name: a '/' or '\'
// in it would read as a directory in findings.
var nameSeparators = strings.NewReplacer("/", "-", `\`, "-")

// fileName is the name positions in a document point at: the caller's,
// else base with the extension its text suggests (a name ending in .json
// is read as JSON only).
func fileName(given, base string, d Document) string {
	if given != "" {
		return given
	}
	t := bytes.TrimSpace(d)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return base + ".json"
	}
	return base + ".yaml"
}

// File is one file's content sent inline: scanners and the code analyser
// read these instead of server paths.
type File struct {
	Path    string `json:"path" jsonschema:"the file's path relative to the project root, with '/' (e.g. infra/bucket.yaml, src/upload.ts); it names the file in findings and decides its type by extension"`
	Content string `json:"content" jsonschema:"the file's full text"`
}

// checkFiles validates inline file paths: relative, slash-separated, no
// "..", no duplicates, at most limit files.
func checkFiles(files []File, limit int) error {
	if len(files) > limit {
		return Errorf(BadInput, "%d files: at most %d per request", len(files), limit)
	}
	seen := make(map[string]bool, len(files))
	for i, f := range files {
		p := f.Path
		if p == "" {
			return &Error{Code: BadInput, Message: fmt.Sprintf("files[%d].path is empty: give the file's relative path", i), Path: fmt.Sprintf("files[%d].path", i)}
		}
		clean := path.Clean(strings.TrimPrefix(p, "./"))
		if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) || clean == ".." || strings.HasPrefix(clean, "../") || clean != strings.TrimPrefix(p, "./") {
			return &Error{Code: BadInput, Message: fmt.Sprintf("files[%d].path %q: write a clean relative path with '/' and no '..'", i, p), Path: fmt.Sprintf("files[%d].path", i)}
		}
		if seen[clean] {
			return &Error{Code: BadInput, Message: fmt.Sprintf("files[%d].path %q appears twice", i, p), Path: fmt.Sprintf("files[%d].path", i)}
		}
		seen[clean] = true
	}
	return nil
}

package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// CheckCurrent is the test every package with embedded JSON runs: the
// embedded bytes are the conversion of the reviewed YAML (else "run go
// generate" in pkgDir), and they decode into v with no unknown field, so a
// misspelt key in the YAML cannot drop data unseen (the packages decode
// with json.Unmarshal, which skips unknown fields).
func CheckCurrent(t testing.TB, yamlFile string, embedded []byte, v any, pkgDir string) {
	t.Helper()
	src, err := os.ReadFile(yamlFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(embedded, want) {
		t.Fatalf("the embedded JSON is not the conversion of %s: run go generate %s", yamlFile, pkgDir)
	}
	dec := json.NewDecoder(bytes.NewReader(embedded))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("the JSON of %s: %v", yamlFile, err)
	}
}

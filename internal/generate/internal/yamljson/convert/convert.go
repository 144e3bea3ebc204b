// Package convert turns curated YAML data into the JSON that is embedded in
// its place (see the yamljson command). It is shared by the command and by
// the tests that check the committed JSON is current.
package convert

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// YAMLToJSON converts one YAML document. Every scalar must come out as the
// JSON type the reader expects, so YAML's non-string scalars are kept as
// they are (numbers, booleans); the readers' tests decode the result.
func YAMLToJSON(src []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	if err := checkKeys(v, ""); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkKeys rejects mappings with non-string keys, which JSON cannot hold
// (yaml decodes them into map[any]any).
func checkKeys(v any, path string) error {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if err := checkKeys(e, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range t {
			if err := checkKeys(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[any]any:
		return fmt.Errorf("%s: a mapping with non-string keys", path)
	}
	return nil
}

// Command yamljson turns a curated YAML data file into the JSON the binary
// embeds. People review and edit the YAML (it has comments); the program
// reads the JSON, because encoding/json decodes it about ten times faster
// than a YAML parser, which a one-shot CLI run pays on every start.
//
//	go run ./internal/generate/internal/yamljson -in capabilities.yaml -out capabilities.json
//
// The output depends only on the input: keys sorted, one space of indent.
// The packages' tests convert their YAML again and fail when the committed
// JSON differs.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/iamguard/iamguard/internal/generate/internal/yamljson/convert"
)

func main() {
	in := flag.String("in", "", "YAML file to read")
	out := flag.String("out", "", "JSON file to write")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "yamljson: -in and -out are required")
		os.Exit(2)
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "yamljson:", err)
		os.Exit(1)
	}
	js, err := convert.YAMLToJSON(src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "yamljson: %s: %v\n", *in, err)
		os.Exit(2)
	}
	if err := os.WriteFile(*out, js, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "yamljson:", err)
		os.Exit(1)
	}
}

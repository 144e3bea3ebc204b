// Command gensearch writes the description search index of the embedded
// catalog (see capability.EncodeSearchIndex):
//
//	go run ./internal/generate/internal/gensearch -o internal/generate/capability/search.idx
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/internal/generate/capability"
)

func main() {
	out := flag.String("o", "search.idx", "file to write")
	flag.Parse()
	data := capability.EncodeSearchIndex(catalog.Default())
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gensearch:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gensearch: %d bytes -> %s\n", len(data), *out)
}

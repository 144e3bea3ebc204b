package node

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestYAMLLongFlowLineOffsets: every node of a long one-line flow
// collection with multi-byte text gets the byte offset of its column (the
// converter walks such a line once, remembering where it was).
func TestYAMLLongFlowLineOffsets(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("[")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("é€")
	}
	b.WriteString("]\n")
	data := []byte(b.String())
	n, err := ParseYAML("long.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Items) != 2000 {
		t.Fatalf("items = %d", len(n.Items))
	}
	for i, it := range n.Items {
		if got := utf8.RuneCount(data[:it.Pos.Offset]) + 1; got != it.Pos.Column || !strings.HasPrefix(string(data[it.Pos.Offset:]), "é€") {
			t.Fatalf("item %d: column %d but offset %d is column %d", i, it.Pos.Column, it.Pos.Offset, got)
		}
	}
}

// BenchmarkParseYAMLLongLine guards against position conversion that is
// quadratic in the length of a line: 20,000 items on one line.
func BenchmarkParseYAMLLongLine(b *testing.B) {
	data := []byte("[" + strings.Repeat("1, ", 20000) + "1]\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseYAML("long.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

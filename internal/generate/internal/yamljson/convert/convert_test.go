package convert

import (
	"strings"
	"testing"
)

func TestYAMLToJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
	}{
		{name: "keys sorted, types kept", in: "b: [x, 2]\na: {c: true}\n", want: "{\n \"a\": {\n  \"c\": true\n },\n \"b\": [\n  \"x\",\n  2\n ]\n}\n"},
		{name: "no HTML escaping", in: "s: a<b&c\n", want: "{\n \"s\": \"a<b&c\"\n}\n"},
		{name: "non-string keys", in: "a:\n  1: x\n  true: z\n", err: "non-string keys"},
		{name: "bad yaml", in: "a: [\n", err: "yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := YAMLToJSON([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

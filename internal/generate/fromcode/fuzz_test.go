package fromcode

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

func addFixtures(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
}

// FuzzTokenizeJS: the tokenizer and the analyzer never panic and always
// terminate, whatever the input; lines never go backwards.
func FuzzTokenizeJS(f *testing.F) {
	addFixtures(f, "../testdata/code/ts/*/*.ts")
	addFixtures(f, "../testdata/code/js/*/*.js")
	f.Add([]byte("`${`${`${a}`}`}` / /re/ 'x"))
	f.Add([]byte("new X({a: `b${c}`, ...d, [e]: 'f'})"))
	m := sdkmap.Default()
	f.Fuzz(func(t *testing.T, src []byte) {
		toks := TokenizeJS(src)
		for i := 1; i < len(toks); i++ {
			if toks[i].Line < toks[i-1].Line {
				t.Fatalf("token %d at line %d after line %d", i, toks[i].Line, toks[i-1].Line)
			}
		}
		AnalyzeJS("fuzz.ts", src, m)
	})
}

// FuzzTokenizePython: the same for Python.
func FuzzTokenizePython(f *testing.F) {
	addFixtures(f, "../testdata/code/python/*/*.py")
	f.Add([]byte("f'''{x}''' rb'\\' import boto3\nx = boto3.client('s3').put_object(Bucket='b')"))
	m := sdkmap.Default()
	f.Fuzz(func(t *testing.T, src []byte) {
		toks := TokenizePython(src)
		for i := 1; i < len(toks); i++ {
			if toks[i].Line < toks[i-1].Line {
				t.Fatalf("token %d at line %d after line %d", i, toks[i].Line, toks[i-1].Line)
			}
		}
		AnalyzePython("fuzz.py", src, m)
	})
}

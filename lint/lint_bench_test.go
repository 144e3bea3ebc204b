package lint_test

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/lint/internal/managedcorpus"
	"github.com/iamguard/iamguard/policy"
)

type corpusDoc struct {
	name string
	data []byte
	p    *policy.Policy
}

func loadDocs(b *testing.B, dir string) []corpusDoc {
	b.Helper()
	files, err := managedcorpus.Files(dir)
	if err != nil || len(files) == 0 {
		b.Skipf("no policies in %s: %v", dir, err)
	}
	docs := make([]corpusDoc, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		p, err := lint.ParseFile(f, data)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, corpusDoc{name: f, data: data, p: p})
	}
	return docs
}

func benchLint(b *testing.B, docs []corpusDoc) {
	cfg := config.Default()
	l := lint.New(cfg)
	l.Policy(docs[0].p, policy.KindIdentity) // catalog and index built outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		d := &docs[n%len(docs)]
		l.Policy(d.p, policy.KindIdentity)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "policies/s")
	b.ReportMetric(float64(n)/cpuSeconds(b, cpu0), "policies/cpu-s")
}

func benchParseLint(b *testing.B, docs []corpusDoc) {
	l := lint.New(config.Default())
	l.Policy(docs[0].p, policy.KindIdentity)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		d := &docs[n%len(docs)]
		if _, err := l.File(d.name, d.data, policy.KindIdentity); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "policies/s")
}

// BenchmarkLintSample lints the committed sample of AWS managed policies.
func BenchmarkLintSample(b *testing.B) {
	benchLint(b, loadDocs(b, filepath.Join("testdata", "managed", "sample")))
}

// BenchmarkLintManagedCorpus lints every AWS managed policy (latest
// versions) when $IAMGUARD_MANAGED_POLICIES holds the corpus.
func BenchmarkLintManagedCorpus(b *testing.B) {
	dir := corpusDir(b)
	benchLint(b, loadDocs(b, dir))
}

// BenchmarkLintManagedCorpusCold lints the whole corpus once per op with a
// freshly decoded catalog and a new linter, as one CLI run over the corpus
// would: every per-catalog and per-linter cache (compiled ARN templates,
// compiled action patterns, resource types by ARN) starts empty. Decoding
// the catalog and building the linter's index are not timed.
func BenchmarkLintManagedCorpusCold(b *testing.B) {
	benchCold(b, loadDocs(b, corpusDir(b)))
}

// BenchmarkLintSampleCold is BenchmarkLintManagedCorpusCold over the
// committed sample.
func BenchmarkLintSampleCold(b *testing.B) {
	benchCold(b, loadDocs(b, filepath.Join("testdata", "managed", "sample")))
}

func benchCold(b *testing.B, docs []corpusDoc) {
	raw, err := os.ReadFile(filepath.Join("..", "catalog", "data", "catalog.bin"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		cat, err := catalog.Load(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		l := lint.NewWithCatalog(cfg, cat)
		b.StartTimer()
		cpu0 := cpuTime()
		for i := range docs {
			l.Policy(docs[i].p, policy.KindIdentity)
		}
		cpu += cpuTime() - cpu0
	}
	n := float64(b.N * len(docs))
	b.ReportMetric(n/b.Elapsed().Seconds(), "policies/s")
	if cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), "policies/cpu-s")
	}
}

// BenchmarkParseAndLintManagedCorpus includes parsing each file.
func BenchmarkParseAndLintManagedCorpus(b *testing.B) {
	benchParseLint(b, loadDocs(b, corpusDir(b)))
}

func corpusDir(b *testing.B) string {
	root := os.Getenv(managedcorpus.EnvDir)
	if root == "" {
		b.Skipf("$%s is not set", managedcorpus.EnvDir)
	}
	v, err := os.ReadFile(filepath.Join("testdata", "managed", "VERSION"))
	if err != nil {
		b.Fatal(err)
	}
	return managedcorpus.PoliciesDir(root, string(trimSpace(v)))
}

// cpuTime is the process's user+system CPU time: on a shared machine the
// wall clock also counts other processes' work, CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuSeconds(b *testing.B, start time.Duration) float64 {
	d := (cpuTime() - start).Seconds()
	if d <= 0 {
		return b.Elapsed().Seconds()
	}
	return d
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

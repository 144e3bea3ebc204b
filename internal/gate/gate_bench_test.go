package gate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/iamguard/iamguard/internal/gate/store"
)

// benchPlan plans one resource per iteration and reports the latency
// percentiles (target: p99 ≤ 50 ms with the built-in scanner). Each plan
// is a durable commit of the change and its plan and scan records.
func benchPlan(b *testing.B, st store.Store, file string) {
	g := newTestGateOn(b, nil, st)
	path := filepath.Join("testdata", "changes", file)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		c, err := ParseChange(path, data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.Plan(context.Background(), c); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkPlan(b *testing.B) {
	for _, file := range []string{"dev-s3-fileupload.yaml", "dev-rds.yaml"} {
		b.Run("sqlite/"+file, func(b *testing.B) { benchPlan(b, openSQLite(b), file) })
		b.Run("postgres/"+file, func(b *testing.B) {
			url := postgresTestURL(b)
			st, err := store.OpenPostgres(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			benchPlan(b, st, file)
		})
	}
}

// BenchmarkPlanCPU is the plan without the store's durable commit: parse,
// tags, hashes, price, rules, scan (an in-memory fake of the store would
// be a mock; instead this times the pure steps).
func BenchmarkPlanCPU(b *testing.B) {
	path := filepath.Join("testdata", "changes", "dev-s3-fileupload.yaml")
	data, _ := os.ReadFile(path)
	cfg := testConfig()
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseChange(path, data)
		if err != nil {
			b.Fatal(err)
		}
		tags, _ := injectTags(cfg, c, "2025-11-02")
		h, _ := c.ContentHash()
		c.PromotionHash("111111111111", "us-east-1")
		rule := Decide(cfg, c, costOf(c))
		fs, _ := BasicScanner{}.ScanChange(context.Background(), c)
		_ = tagFindings(c, tags)
		_, _, _ = h, rule, fs
	}
}

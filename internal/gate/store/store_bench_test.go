package store

import (
	"context"
	"testing"
)

// BenchmarkAppend is one audit record per transaction, as the gate writes
// them (target: ≥ 2,000 appends/s on SQLite). Each commit is durable
// (SQLite: WAL with synchronous=FULL; PostgreSQL: fsync on).
func BenchmarkAppend(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			ctx := context.Background()
			r := rec("plan", "chg-bench", "alice")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Append(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// BenchmarkAppendParallel has 32 goroutines appending at once, as a
// server taking many requests would: group commit puts many records in
// each durable commit.
func BenchmarkAppendParallel(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism(16) // × GOMAXPROCS (2) goroutines
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rec("plan", "chg-bench", "alice")
				for pb.Next() {
					if _, err := s.Append(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// BenchmarkVerify walks a 10,000-record chain.
func BenchmarkVerify(b *testing.B) {
	s := openTestSQLite(b)
	ctx := context.Background()
	batch := make([]Record, 1000)
	for i := range batch {
		batch[i] = rec("plan", "chg", "alice")
	}
	for i := 0; i < 10; i++ {
		if _, err := s.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(ctx, s, "")
		if err != nil || !rep.OK {
			b.Fatal(err, rep.Problems)
		}
	}
}

// BenchmarkAppendBatch appends 100 records per call (one commit).
func BenchmarkAppendBatch(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			ctx := context.Background()
			batch := make([]Record, 100)
			for i := range batch {
				batch[i] = rec("plan", "chg-bench", "alice")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Append(ctx, batch...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

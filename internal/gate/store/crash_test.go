package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv tells a re-executed test binary to be the appender that
// gets killed: it holds the store to append to.
const crashChildEnv = "IAMGUARD_STORE_CRASH_CHILD"

// TestCrashChild is the child side of TestKilledWriterLosesNoCommittedRecord:
// it appends forever, printing each committed sequence number.
func TestCrashChild(t *testing.T) {
	dsn := os.Getenv(crashChildEnv)
	if dsn == "" {
		t.Skip("runs only as the child of TestKilledWriterLosesNoCommittedRecord")
	}
	s, err := Open(context.Background(), dsn)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		recs, err := s.Append(context.Background(), rec("plan", fmt.Sprintf("crash-%d", i), "child"))
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		// Printed only once Append returned: the record is committed.
		fmt.Println(recs[0].Seq)
	}
}

// TestKilledWriterLosesNoCommittedRecord kills an appending process with
// SIGKILL mid-stream, reopens the store, and checks the chain is intact and
// holds every record the child reported as committed.
func TestKilledWriterLosesNoCommittedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.open(t)
			dsn := s.dsnForChild(t)
			// A few records before the child starts, to check they survive.
			appendN(t, s, 3)

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+dsn)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var reported []int64
			lines := bufio.NewScanner(out)
			deadline := time.Now().Add(20 * time.Second)
			for lines.Scan() {
				n, err := strconv.ParseInt(lines.Text(), 10, 64)
				if err != nil {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("child said %q", lines.Text())
				}
				reported = append(reported, n)
				// Kill it mid-stream, after enough records that it is
				// surely inside a write loop.
				if len(reported) == 150 || time.Now().After(deadline) {
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			for lines.Scan() {
				if n, err := strconv.ParseInt(lines.Text(), 10, 64); err == nil {
					reported = append(reported, n)
				}
			}
			cmd.Wait()
			if len(reported) < 10 {
				t.Fatalf("the child committed only %d records before it was killed", len(reported))
			}

			reopened := reopen(t, s)
			rep, err := Verify(context.Background(), reopened, "")
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK {
				t.Fatalf("chain broken after the kill: %+v", rep.Problems)
			}
			present := map[int64]bool{}
			reopened.Records(context.Background(), AuditQuery{}, func(r Record) error { present[r.Seq] = true; return nil })
			for _, seq := range append([]int64{1, 2, 3}, reported...) {
				if !present[seq] {
					t.Errorf("record %d was reported committed but is gone", seq)
				}
			}
			// The store still takes appends after the crash.
			if _, err := reopened.Append(context.Background(), rec("plan", "after", "parent")); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d records reported before SIGKILL, %d in the log", len(reported), rep.Records)
		})
	}
}

// dsnForChild names the same database (and, on PostgreSQL, the same
// schema) for another process.
func (s *sqlStore) dsnForChild(t testing.TB) string {
	t.Helper()
	switch s.Kind() {
	case "sqlite":
		var path string
		if err := s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			t.Fatal(err)
		}
		return path
	default:
		var schemaName string
		if err := s.db.QueryRow(`SELECT current_schema()`).Scan(&schemaName); err != nil {
			t.Fatal(err)
		}
		return withSearchPath(postgresURL(t), schemaName)
	}
}

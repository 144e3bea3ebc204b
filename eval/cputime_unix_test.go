//go:build unix

package eval

import (
	"syscall"
	"time"
)

// processCPUTime is the user+system CPU time of the process: benchmarks
// report it besides wall time because the machine they run on is shared,
// and CPU time per operation is what one core's throughput depends on.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

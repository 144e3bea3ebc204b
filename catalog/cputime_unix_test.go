//go:build unix

package catalog

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall clock counts other processes' work too; CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build unix

package capability

import "syscall"

// processCPU is the process's user and system CPU time in nanoseconds:
// on a shared machine, wall time measures the neighbours too.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

//go:build !unix

package capability

func processCPU() int64 { return 0 }

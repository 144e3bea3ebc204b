//go:build !unix

package generate

func processCPU() int64 { return 0 }

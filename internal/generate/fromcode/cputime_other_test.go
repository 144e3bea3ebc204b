//go:build !unix

package fromcode

func processCPU() int64 { return 0 }

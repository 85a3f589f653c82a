//go:build !amd64 || purego

package dsp

// waveExtremaVector does nothing on this architecture (waveAcc.addBlock's
// loop takes every sample).
func waveExtremaVector(v []float32) (lo, hi float32, n int) { return 0, 0, 0 }

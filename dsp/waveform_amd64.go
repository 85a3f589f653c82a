//go:build amd64 && !purego

package dsp

// waveExtremaAVX is the smallest and largest of v[:n], n a multiple of 8
// and at least 8, in AVX (waveform_amd64.s).
//
//go:noescape
func waveExtremaAVX(v *float32, n int, lo, hi *float32)

// waveExtremaVector returns the extrema of the first n samples of v (n a
// multiple of 8; 0 when the CPU has no AVX2 or v is short).
func waveExtremaVector(v []float32) (lo, hi float32, n int) {
	n = len(v) &^ 7
	if !useAVX2 || n < 64 {
		return 0, 0, 0
	}
	waveExtremaAVX(&v[0], n, &lo, &hi)
	return lo, hi, n
}

//go:build amd64 && !purego

package dsp

// spectralSumsAVX is the first loop of spectral.compute over n bins, n a
// multiple of 4, in AVX (spectral_amd64.s): the same operations in the same
// order, so the same values. acc holds (m0, m1, f0, f1, p0, p1, d0, d1).
//
//go:noescape
func spectralSumsAVX(pow, mag, prev, freq *float64, n int, acc *[8]float64)

// spectralSumsVector runs spectralSumsAVX over the bins it can (a multiple
// of 4 of len(pow)) when the CPU has AVX2, and returns how many it did.
func spectralSumsVector(pow, mag, prev, freq []float64, acc *[8]float64) int {
	n := len(pow) &^ 3
	if !useAVX2 || n == 0 {
		return 0
	}
	mag, prev, freq = mag[:n], prev[:n], freq[:n]
	spectralSumsAVX(&pow[0], &mag[0], &prev[0], &freq[0], n, acc)
	return n
}

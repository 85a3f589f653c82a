//go:build amd64 && !purego

package dsp

import "unsafe"

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

// bandSumsAVX writes sum4(x[edges[b]:edges[b+1]]) to out[b] for b < nb, in
// AVX (spectral_amd64.s): sum4's additions in its order.
//
//go:noescape
func bandSumsAVX(x *float64, edges *int, nb int, out *float64)

// bandSumsVector runs bandSumsAVX for the len(edges)−1 bands of x when the
// CPU has AVX2 (and the edges ascend within x), and reports whether it did.
func bandSumsVector(x []float64, edges []int, out []float64) bool {
	nb := len(edges) - 1
	if !useAVX2 || nb <= 0 || len(out) < nb || edges[0] < 0 || edges[nb] > len(x) {
		return false
	}
	for b := range nb {
		if edges[b] > edges[b+1] {
			return false
		}
	}
	bandSumsAVX(unsafe.SliceData(x), &edges[0], nb, &out[0])
	return true
}

//go:build !amd64 || purego

package dsp

// spectralSumsVector does nothing on this architecture: spectral.compute's
// Go loop does every bin.
func spectralSumsVector(pow, mag, prev, freq []float64, acc *[8]float64) int { return 0 }

// bandSumsVector reports false: spectral.compute sums each band with sum4.
func bandSumsVector(x []float64, edges []int, out []float64) bool { return false }

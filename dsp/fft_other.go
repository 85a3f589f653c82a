//go:build !amd64 || purego

package dsp

// radix4Pass is radix4PassGo (no vector version on this architecture).
func radix4Pass(re, im []float64, h int, tw []float64) { radix4PassGo(re, im, h, tw) }

// useAVX2 is false: there is no vector code on this architecture (tests
// that compare the vector and Go code skip).
var useAVX2 = false

// splitPowerVector does nothing on this architecture: realFFT.power's Go
// loop does every k.
func splitPowerVector(re, im []float64, sp []splitTwiddle, pow []float64) int { return 0 }

// loadVector does nothing on this architecture (realFFT.load's Go loop
// runs).
func loadVector(x []float32, win []float64, rev []int32, re, im []float64) bool { return false }

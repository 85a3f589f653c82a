//go:build !amd64 || purego

package dsp

// mixStereoVector does nothing on this architecture (mixDown's Go loop
// mixes every frame).
func mixStereoVector(dst, src []float32) int { return 0 }

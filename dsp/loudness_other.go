//go:build !amd64 || purego

package dsp

// kWeightStereoVector reports false: there is no vector version on this
// architecture (filterStereo runs filterStereoGo).
func kWeightStereoVector(*loudnessAcc, []float32, []float64) bool { return false }

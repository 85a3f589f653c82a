//go:build !amd64 || purego

package dsp

// kWeightStereoVector reports false: there is no vector version on this
// architecture (filterStereo runs filterStereoGo).
func kWeightStereoVector(*loudnessAcc, []float32, []float64) bool { return false }

// blockMaxVector does nothing on this architecture (truePeak.add runs
// maxAbsBits per block).
func blockMaxVector(h, out []float32) int { return 0 }

// deinterleave2Vector does nothing on this architecture (deinterleave2's Go
// loop copies every sample).
func deinterleave2Vector(dst, src []float32) int { return 0 }

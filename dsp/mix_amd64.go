//go:build amd64 && !purego

package dsp

// mixStereoAVX is mixDown's stereo loop for n frames, n a multiple of 8, in
// AVX2 (mix_amd64.s): the same float32 operations, so the same values.
//
//go:noescape
func mixStereoAVX(dst, src *float32, n int)

// mixStereoVector runs mixStereoAVX over the first frames it can (a
// multiple of 8) when the CPU has AVX2 and returns how many it did.
func mixStereoVector(dst, src []float32) int {
	n := min(len(dst), len(src)/2) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	mixStereoAVX(&dst[0], &src[0], n)
	return n
}

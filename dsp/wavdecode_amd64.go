//go:build amd64 && !purego

package dsp

// decodeS16AVX is decodeS16 for n samples, n a multiple of 8, in AVX2
// (wavdecode_amd64.s); int16 to float32 and the scaling by 2^-15 are exact,
// so the values are the same.
//
//go:noescape
func decodeS16AVX(dst *float32, src *byte, n int)

// decodeS16Vector runs decodeS16AVX over the first samples it can (a
// multiple of 8) when the CPU has AVX2 and returns how many it did.
func decodeS16Vector(dst []float32, src []byte) int {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	src = src[:2*n]
	decodeS16AVX(&dst[0], &src[0], n)
	return n
}

// decodeF32AVX is decodeF32 for the first samples, up to n (a multiple of
// 8), while they are all in [−1, 1] (wavdecode_amd64.s); it returns how many
// it copied.
//
//go:noescape
func decodeF32AVX(dst *float32, src *byte, n int) int

// decodeF32Vector runs decodeF32AVX when the CPU has AVX2 and returns how
// many samples it copied.
func decodeF32Vector(dst []float32, src []byte) int {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	src = src[:4*n]
	return decodeF32AVX(&dst[0], &src[0], n)
}

//go:build amd64 && !purego

package dsp

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 radix-4 pass; it computes exactly what
// radix4PassGo computes (the same multiplications and additions in the same
// order, four butterflies at a time, without fused multiply-adds).
var useAVX2 = cpu.X86.HasAVX2

// radix4AVX2 is radix4PassGo over re and im (m values each) for h a
// multiple of 4, in AVX2 (fft_amd64.s).
//
//go:noescape
func radix4AVX2(re, im, tw *float64, m, h int)

// radix4Pass is radix4PassGo, in AVX2 when the CPU has it and h is a
// multiple of 4 (every pass of the 1024- and 4096-point transforms).
func radix4Pass(re, im []float64, h int, tw []float64) {
	if !useAVX2 || h%4 != 0 {
		radix4PassGo(re, im, h, tw)
		return
	}
	m := len(re)
	im, tw = im[:m], tw[:6*h]
	if m%(4*h) != 0 {
		panic("dsp: radix-4 pass over a partial block")
	}
	radix4AVX2(&re[0], &im[0], &tw[0], m, h)
}

// splitPowerAVX is the split loop of realFFT.power for k = 1 … n, n a
// multiple of 4 and at most m/2, in AVX2 (fft_amd64.s): the same operations
// in the same order, so the same values.
//
//go:noescape
func splitPowerAVX(re, im *float64, sp *splitTwiddle, pow *float64, m, n int)

// splitPowerVector runs splitPowerAVX over the first k it can (a multiple
// of 4 of len(sp)−1) when the CPU has AVX2, and returns how many it did.
func splitPowerVector(re, im []float64, sp []splitTwiddle, pow []float64) int {
	m := len(re)
	n := (len(sp) - 1) &^ 3
	if !useAVX2 || n == 0 || 2*n > m {
		return 0
	}
	im, pow, sp = im[:m], pow[:m+1], sp[:n+1]
	splitPowerAVX(&re[0], &im[0], &sp[0], &pow[0], m, n)
	return n
}

// loadAVX is realFFT.load for m ≥ 32 in AVX2 (fft_amd64.s): four blocks of
// eight per step, each lane running load's operations in its order, so the
// same values.
//
//go:noescape
func loadAVX(x *float32, win *float64, rev *int32, re, im *float64, m int)

// loadVector runs loadAVX when the CPU has AVX2 and the transform is large
// enough (m ≥ 32), and reports whether it did.
func loadVector(x []float32, win []float64, rev []int32, re, im []float64) bool {
	m := len(re)
	if !useAVX2 || m < 32 {
		return false
	}
	x, win, rev, im = x[:2*m], win[:2*m], rev[:m], im[:m]
	loadAVX(&x[0], &win[0], &rev[0], &re[0], &im[0], m)
	return true
}

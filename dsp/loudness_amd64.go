//go:build amd64 && !purego

package dsp

// kWeightStereoAVX runs loudnessAcc.filterStereoGo's recursion over n
// stereo frames of samples into z, both channels at once in 128-bit lanes
// (loudness_amd64.s). coef holds (b0, b1, b2, a1, a2) of the shelf, (a1, a2)
// of the high-pass and the two channel weights, each as a (left, right)
// pair; state holds x1, x2, y1, y2, v1, v2 as pairs, read and written back.
//
//go:noescape
func kWeightStereoAVX(samples *float32, z *float64, n int, coef *[16]float64, state *[12]float64)

// kWeightStereoVector is filterStereo in vector instructions when the CPU
// has them (the same operations in the same order, so the same values);
// it reports false when it did nothing.
func kWeightStereoVector(a *loudnessAcc, samples []float32, z []float64) bool {
	if !useAVX2 {
		return false
	}
	l, r := &a.stages[0], &a.stages[1]
	s, h := l[0], l[1]
	var coef [16]float64
	for i, v := range [8][2]float64{{s.b0, r[0].b0}, {s.b1, r[0].b1}, {s.b2, r[0].b2}, {s.a1, r[0].a1}, {s.a2, r[0].a2},
		{h.a1, r[1].a1}, {h.a2, r[1].a2}, {a.weight[0], a.weight[1]}} {
		coef[2*i], coef[2*i+1] = v[0], v[1]
	}
	state := [12]float64{l[0].x1, r[0].x1, l[0].x2, r[0].x2, l[0].y1, r[0].y1, l[0].y2, r[0].y2,
		l[1].y1, r[1].y1, l[1].y2, r[1].y2}
	kWeightStereoAVX(&samples[0], &z[0], len(z), &coef, &state)
	l[0].x1, r[0].x1, l[0].x2, r[0].x2, l[0].y1, r[0].y1, l[0].y2, r[0].y2 = state[0], state[1], state[2], state[3],
		state[4], state[5], state[6], state[7]
	l[1].y1, r[1].y1, l[1].y2, r[1].y2 = state[8], state[9], state[10], state[11]
	// The high-pass input history is the shelf output history.
	l[1].x1, l[1].x2, r[1].x1, r[1].x2 = l[0].y1, l[0].y2, r[0].y1, r[0].y2
	return true
}

// blockMaxAVX writes the largest |v| of each of the nb whole blocks of
// tpTaps samples of h to out, in AVX2 (loudness_amd64.s): maxAbsBits per
// block.
//
//go:noescape
func blockMaxAVX(h *float32, nb int, out *float32)

// blockMaxVector runs blockMaxAVX over the whole blocks of h when the CPU
// has AVX2 and returns how many blocks it did (their maxima in out).
func blockMaxVector(h, out []float32) int {
	nb := len(h) / tpTaps
	if !useAVX2 || nb == 0 {
		return 0
	}
	out = out[:nb]
	blockMaxAVX(&h[0], nb, &out[0])
	return nb
}

// deinterleave2AVX is deinterleave2 for n samples, n a multiple of 8, in
// AVX2 (loudness_amd64.s); it reads src up to src[2n−1].
//
//go:noescape
func deinterleave2AVX(dst, src *float32, n int)

// deinterleave2Vector runs deinterleave2AVX over the first samples it can
// (a multiple of 8, leaving at least one: src ends at the last one's
// sample) when the CPU has AVX2, and returns how many it did.
func deinterleave2Vector(dst, src []float32) int {
	n := (len(dst) - 1) &^ 7
	if !useAVX2 || n <= 0 {
		return 0
	}
	src = src[:2*n]
	deinterleave2AVX(&dst[0], &src[0], n)
	return n
}

package dsp

import (
	"math"
	"slices"
)

// LoudnessFloor is the lowest loudness reported (LUFS), for silence and for
// momentary loudness below the BS.1770 absolute gate.
const LoudnessFloor = -70.0

// biquad is a direct-form-I second-order IIR filter section (run by
// loudnessAcc.filter).
type biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

// kWeighting returns the two BS.1770 K-weighting stages (high shelf, then
// RLB high-pass) for the sample rate, derived from the analogue prototype
// like libebur128 so any rate works.
func kWeighting(rate int) (shelf, hp biquad) {
	fs := float64(rate)
	f0, g, q := 1681.974450955533, 3.999843853973347, 0.7071752369554196
	k := math.Tan(math.Pi * f0 / fs)
	vh := math.Pow(10, g/20)
	vb := math.Pow(vh, 0.4996667741545416)
	a0 := 1 + k/q + k*k
	shelf = biquad{b0: (vh + vb*k/q + k*k) / a0, b1: 2 * (k*k - vh) / a0, b2: (vh - vb*k/q + k*k) / a0,
		a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	f0, q = 38.13547087602444, 0.5003270373238773
	k = math.Tan(math.Pi * f0 / fs)
	a0 = 1 + k/q + k*k
	hp = biquad{b0: 1, b1: -2, b2: 1, a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	return shelf, hp
}

// channelWeight is the BS.1770 weight of channel c of n (5.1 order L R C LFE
// Ls Rs: LFE excluded, surrounds +1.5 dB).
func channelWeight(c, n int) float64 {
	if n == 6 {
		return [6]float64{1, 1, 1, 0, 1.41, 1.41}[c]
	}
	return 1
}

// lufs converts a mean-square K-weighted power to LUFS.
func lufs(z float64) float64 {
	if z <= 0 {
		return math.Inf(-1)
	}
	return -0.691 + 10*math.Log10(z)
}

// loudnessAcc accumulates BS.1770-4 / EBU R128 loudness in 100 ms sub-blocks.
type loudnessAcc struct {
	stages   [][2]biquad // per channel
	weight   []float64
	subLen   int // samples per 100 ms
	subFill  int
	subSum   float64
	subs     []float64 // mean-square weighted power per 100 ms sub-block
	hopSum   float64   // weighted K power of the current hop
	hopRing  []float64 // last momentaryHops hop sums
	hopPos   int
	hopTotal float64
}

func newLoudnessAcc(rate, channels int) *loudnessAcc {
	a := &loudnessAcc{subLen: (rate + 5) / 10}
	for c := range channels {
		s, h := kWeighting(rate)
		a.stages = append(a.stages, [2]biquad{s, h})
		a.weight = append(a.weight, channelWeight(c, channels))
	}
	// The momentary series uses the 400 ms ending at each frame's end,
	// rounded to whole hops.
	a.hopRing = make([]float64, max(1, int(math.Round(0.4*float64(rate)/HopSize))))
	return a
}

// filter K-weights interleaved samples and writes, per sample frame, the
// channel-weighted sum of squares into z (len(samples)/channels); the
// filter state lives in registers for the whole block.
func (a *loudnessAcc) filter(samples []float32, z []float64) {
	ch := len(a.stages)
	n := len(samples) / ch
	z = z[:n]
	if ch == 2 {
		a.filterStereo(samples[:2*n], z)
		return
	}
	for c := range ch {
		st := &a.stages[c]
		s, h := st[0], st[1]
		w := a.weight[c]
		sx1, sx2, sy1, sy2 := s.x1, s.x2, s.y1, s.y2
		hx1, hx2, hy1, hy2 := h.x1, h.x2, h.y1, h.y2
		for i := range z {
			x := float64(samples[i*ch+c])
			// The terms of the recursion come last, shortening the chain
			// from one output to the next.
			y := s.b0*x + s.b1*sx1 + s.b2*sx2 - s.a2*sy2 - s.a1*sy1
			sx2, sx1, sy2, sy1 = sx1, x, sy1, y
			v := h.b0*y + h.b1*hx1 + h.b2*hx2 - h.a2*hy2 - h.a1*hy1
			hx2, hx1, hy2, hy1 = hx1, y, hy1, v
			if c == 0 {
				z[i] = w * v * v
			} else {
				z[i] += w * v * v
			}
		}
		st[0].x1, st[0].x2, st[0].y1, st[0].y2 = sx1, sx2, sy1, sy2
		st[1].x1, st[1].x2, st[1].y1, st[1].y2 = hx1, hx2, hy1, hy2
	}
}

// filterStereo is filter for two channels in one loop: the two channels'
// recursions are independent chains the CPU overlaps. It relies on what
// kWeighting returns: both channels share the coefficients, and the
// high-pass numerator is 1, −2, 1, whose products are exact, so it is
// written without them. The high-pass input history is the shelf output
// history (hx1 = sy1, hx2 = sy2 before each step), so only the shelf keeps
// it. Each value is computed exactly as filter computes it
// (z = w0·v0² + w1·v1²).
func (a *loudnessAcc) filterStereo(samples []float32, z []float64) {
	if len(z) > 0 && kWeightStereoVector(a, samples[:2*len(z)], z) {
		return
	}
	a.filterStereoGo(samples, z)
}

// filterStereoGo is filterStereo in Go; kWeightStereoVector computes the
// same values with both channels in one vector register.
func (a *loudnessAcc) filterStereoGo(samples []float32, z []float64) {
	l, r := &a.stages[0], &a.stages[1]
	s, h := l[0], l[1]
	sb0, sb1, sb2, sa1, sa2 := s.b0, s.b1, s.b2, s.a1, s.a2
	ha1, ha2 := h.a1, h.a2
	w0, w1 := a.weight[0], a.weight[1]
	lx1, lx2, ly1, ly2, lv1, lv2 := l[0].x1, l[0].x2, l[0].y1, l[0].y2, l[1].y1, l[1].y2
	rx1, rx2, ry1, ry2, rv1, rv2 := r[0].x1, r[0].x2, r[0].y1, r[0].y2, r[1].y1, r[1].y2
	samples = samples[:2*len(z)]
	for i := range z {
		xl, xr := float64(samples[2*i]), float64(samples[2*i+1])
		yl := sb0*xl + sb1*lx1 + sb2*lx2 - sa2*ly2 - sa1*ly1
		yr := sb0*xr + sb1*rx1 + sb2*rx2 - sa2*ry2 - sa1*ry1
		vl := yl - 2*ly1 + ly2 - ha2*lv2 - ha1*lv1
		vr := yr - 2*ry1 + ry2 - ha2*rv2 - ha1*rv1
		lx2, lx1, ly2, ly1, lv2, lv1 = lx1, xl, ly1, yl, lv1, vl
		rx2, rx1, ry2, ry1, rv2, rv1 = rx1, xr, ry1, yr, rv1, vr
		z[i] = w0*vl*vl + w1*vr*vr
	}
	l[0].x1, l[0].x2, l[0].y1, l[0].y2 = lx1, lx2, ly1, ly2
	l[1].x1, l[1].x2, l[1].y1, l[1].y2 = ly1, ly2, lv1, lv2
	r[0].x1, r[0].x2, r[0].y1, r[0].y2 = rx1, rx2, ry1, ry2
	r[1].x1, r[1].x2, r[1].y1, r[1].y2 = ry1, ry2, rv1, rv2
}

// addBlock is add for each of z in order (the same sums, in the same order).
func (a *loudnessAcc) addBlock(z []float64) {
	for len(z) > 0 {
		k := min(len(z), a.subLen-a.subFill)
		sub, hop := a.subSum, a.hopSum
		for _, v := range z[:k] {
			sub += v
			hop += v
		}
		a.subSum, a.hopSum = sub, hop
		a.subFill += k
		z = z[k:]
		if a.subFill == a.subLen {
			a.subs = append(a.subs, a.subSum/float64(a.subLen))
			a.subSum, a.subFill = 0, 0
		}
	}
}

// endHop closes a hop and returns the momentary loudness of the last 400 ms.
func (a *loudnessAcc) endHop() float64 {
	a.hopTotal += a.hopSum - a.hopRing[a.hopPos]
	a.hopRing[a.hopPos] = a.hopSum
	a.hopPos = (a.hopPos + 1) % len(a.hopRing)
	a.hopSum = 0
	if a.hopTotal < 0 { // rounding
		a.hopTotal = 0
	}
	return max(LoudnessFloor, lufs(a.hopTotal/float64(len(a.hopRing)*HopSize)))
}

// blocks returns the mean-square powers of windows of n sub-blocks every
// sub-block (400 ms: n = 4; 3 s: n = 30).
func (a *loudnessAcc) blocks(n int) []float64 { return blocksOf(a.subs, n) }

// blocksOf is blocks over the sub-blocks subs.
func blocksOf(subs []float64, n int) []float64 {
	if len(subs) < n {
		return nil
	}
	out := make([]float64, 0, len(subs)-n+1)
	var s float64
	for i, v := range subs {
		s += v
		if i >= n {
			s -= subs[i-n]
		}
		if i >= n-1 {
			out = append(out, max(0, s/float64(n)))
		}
	}
	return out
}

// integrated returns the gated integrated loudness (LUFS), LoudnessFloor for
// silence or audio shorter than 400 ms.
func (a *loudnessAcc) integrated() float64 { return gatedLoudness(a.blocks(4)) }

// integratedSpan is the integrated loudness of the audio from start to end
// seconds (a section).
func (a *loudnessAcc) integratedSpan(start, end float64) float64 {
	lo := min(len(a.subs), max(0, int(start*10)))
	hi := min(len(a.subs), max(lo, int(math.Ceil(end*10))))
	return gatedLoudness(blocksOf(a.subs[lo:hi], 4))
}

// gatedLoudness is BS.1770 gating (−70 LUFS absolute, −10 LU relative)
// over 400 ms block powers.
func gatedLoudness(bl []float64) float64 {
	gate := func(thr float64) (float64, int) {
		var s float64
		n := 0
		for _, z := range bl {
			if lufs(z) > thr {
				s += z
				n++
			}
		}
		return s, n
	}
	s, n := gate(-70)
	if n == 0 {
		return LoudnessFloor
	}
	rel := lufs(s/float64(n)) - 10
	s, n = gate(rel)
	if n == 0 {
		return LoudnessFloor
	}
	return max(LoudnessFloor, lufs(s/float64(n)))
}

// loudnessRange returns EBU Tech 3342 LRA (LU): the 10th to 95th percentile
// of 3 s short-term loudness gated at −70 LUFS and −20 LU.
func (a *loudnessAcc) loudnessRange() float64 {
	bl := a.blocks(30)
	l := make([]float64, 0, len(bl))
	var s float64
	for _, z := range bl {
		if v := lufs(z); v > -70 {
			l = append(l, v)
			s += z
		}
	}
	if len(l) == 0 {
		return 0
	}
	rel := lufs(s/float64(len(l))) - 20
	g := l[:0]
	for _, v := range l {
		if v > rel {
			g = append(g, v)
		}
	}
	slices.Sort(g)
	pct := func(p float64) float64 {
		x := p * float64(len(g)-1)
		i := int(x)
		if i+1 >= len(g) {
			return g[len(g)-1]
		}
		return g[i] + (x-float64(i))*(g[i+1]-g[i])
	}
	return pct(0.95) - pct(0.10)
}

// True peak: 4× oversampling with a windowed-sinc polyphase interpolator.
const (
	tpFactor = 4
	tpTaps   = 24 // taps per phase (96-tap prototype)
	tpHalf   = tpTaps / 2
)

// The true-peak screen: a block of interpolated points is computed only
// when the block's neighbourhood (every sample its taps reach), times the
// largest overshoot seen so far (interpolated peak over neighbourhood sample
// peak, over every block computed so far that came within 12 dB of the
// running peak) plus a tpScreenDB margin, could reach the running peak.
// Full-band material (noise) shows overshoots near the filter's L1 bound and
// is computed almost everywhere; band-limited music overshoots little and
// skips most blocks. Blocks the L1 bound rules out are always skipped.
const tpScreenDB = 1

// truePeak tracks the 4×-oversampled peak of every channel.
type truePeak struct {
	ch       int
	h        [tpFactor - 1][tpTaps]float64
	hist     [][]float32 // per channel: last tpTaps-1 samples, then the new block
	peak     float64     // true peak
	sample   float32     // sample peak
	l1       float64     // max over phases of Σ|h|
	screen   float64     // 10^(tpScreenDB/20); 0 computes every point not ruled out by l1
	over     float64     // largest overshoot seen (interpolated peak / neighbourhood sample peak), at least 1
	blockMax []float32
}

func newTruePeak(channels int) *truePeak {
	t := &truePeak{ch: channels, hist: make([][]float32, channels), screen: math.Pow(10, tpScreenDB/20.0), over: 1}
	for p := 1; p < tpFactor; p++ {
		var sum float64
		for k := range tpTaps {
			x := float64(k-tpHalf+1) - float64(p)/tpFactor // tap offset from the interpolated point
			w := 0.5 * (1 + math.Cos(math.Pi*x/(tpHalf+0.5)))
			v := w
			if x != 0 {
				v *= math.Sin(math.Pi*x) / (math.Pi * x)
			}
			t.h[p-1][k] = v
			sum += v
		}
		l1 := 0.0
		for k := range tpTaps {
			t.h[p-1][k] /= sum
			l1 += math.Abs(t.h[p-1][k])
		}
		t.l1 = max(t.l1, l1)
	}
	for c := range t.hist {
		t.hist[c] = make([]float32, tpTaps-1, tpTaps-1+inputBlockFrames)
	}
	return t
}

// add consumes interleaved samples.
func (t *truePeak) add(samples []float32) {
	n := len(samples) / t.ch
	for c := range t.ch {
		h := t.hist[c][:tpTaps-1]
		if t.ch == 1 {
			h = append(h, samples[:n]...)
		} else {
			h = slices.Grow(h, n)[:tpTaps-1+n]
			dst := h[tpTaps-1:]
			if t.ch == 2 {
				deinterleave2(dst, samples[c:c+2*n-1])
			} else {
				for i := range dst {
					dst[i] = samples[i*t.ch+c]
				}
			}
		}
		// Maxima of aligned blocks of tpTaps samples.
		nb := (len(h) + tpTaps - 1) / tpTaps
		bm := slices.Grow(t.blockMax[:0], nb)[:nb]
		// The whole blocks in vector code when there is some.
		for b := blockMaxVector(h, bm); b < nb; b++ {
			bm[b] = math.Float32frombits(maxAbsBits(h[b*tpTaps : min(len(h), (b+1)*tpTaps)]))
		}
		// The bits of |v| order like |v| (no NaN: decoders clamp), and an
		// integer max is branch-free.
		var all uint32
		for _, v := range bm {
			all = max(all, math.Float32bits(v))
		}
		t.blockMax = bm
		t.sample = max(t.sample, math.Float32frombits(all))
		t.peak = max(t.peak, float64(t.sample))
		// Points between h[j] and h[j+1] use taps h[j-tpHalf+1 .. j+tpHalf],
		// which lie in blocks b-1..b+1 for j in block b. A block is skipped
		// when even its largest neighbouring sample times the filter's L1
		// norm cannot exceed the running peak (a rigorous bound), or when the
		// samples around its points are all below the screen.
		for b := range nb {
			j0, j1 := max(b*tpTaps, tpHalf-1), min((b+1)*tpTaps, len(h)-tpHalf)
			if j0 >= j1 {
				continue
			}
			near := max(bm[b], bm[min(b+1, nb-1)])
			wide := max(near, bm[max(b-1, 0)])
			if float64(wide)*t.l1 <= t.peak {
				continue
			}
			if float64(wide)*t.over*t.screen <= t.peak {
				continue
			}
			y := t.interpolate(h, j0, j1)
			t.peak = max(t.peak, y)
			if w := float64(wide); w*4 >= t.peak {
				t.over = max(t.over, y/w)
			}
		}
		copy(h, h[len(h)-(tpTaps-1):])
		t.hist[c] = h[:tpTaps-1]
	}
}

// deinterleave2 copies every other sample of src, from the first, to dst
// (len(src) = 2·len(dst)−1): one channel of stereo. (A function of its own:
// inlined in add, the loop kept its indices on the stack.)
func deinterleave2(dst, src []float32) {
	src = src[:2*len(dst)-1]
	// The vector version (when there is one) copies the first samples.
	i := deinterleave2Vector(dst, src)
	for ; i+4 <= len(dst); i += 4 {
		d, s := dst[i:i+4:i+4], src[2*i:2*i+7:2*i+7]
		d[0], d[1], d[2], d[3] = s[0], s[2], s[4], s[6]
	}
	for ; i < len(dst); i++ {
		dst[i] = src[2*i]
	}
}

// maxAbsBits returns the bits of the largest |v| in x (0 for none): the
// bits of |v| order like |v| (no NaN: decoders clamp), and an integer max
// is branch-free. Four running maxima (the CPU overlaps them).
func maxAbsBits(x []float32) uint32 {
	const abs = ^uint32(1 << 31)
	var a, b, c, d uint32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		a = max(a, math.Float32bits(v[0])&abs)
		b = max(b, math.Float32bits(v[1])&abs)
		c = max(c, math.Float32bits(v[2])&abs)
		d = max(d, math.Float32bits(v[3])&abs)
	}
	for _, v := range x[i:] {
		a = max(a, math.Float32bits(v)&abs)
	}
	return max(a, b, c, d)
}

// interpolate returns the largest magnitude of the interpolated points after
// h[j] for j in [j0, j1).
func (t *truePeak) interpolate(h []float32, j0, j1 int) float64 {
	var peak float64
	w0, w1, w2 := &t.h[0], &t.h[1], &t.h[2]
	for j := j0; j < j1; j++ {
		x := h[j-tpHalf+1 : j+tpHalf+1]
		x = x[:tpTaps]
		// The three phases share the loads; each sums its even and odd taps
		// separately (six chains of additions the CPU overlaps).
		var y0, y1, y2, z0, z1, z2 float64
		for k := 0; k < tpTaps; k += 2 {
			f, g := float64(x[k]), float64(x[k+1])
			y0 += w0[k] * f
			y1 += w1[k] * f
			y2 += w2[k] * f
			z0 += w0[k+1] * g
			z1 += w1[k+1] * g
			z2 += w2[k+1] * g
		}
		peak = max(peak, math.Abs(y0+z0), math.Abs(y1+z1), math.Abs(y2+z2))
	}
	return peak
}

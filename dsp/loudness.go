package dsp

import (
	"math"
	"slices"
)

// LoudnessFloor is the lowest loudness reported (LUFS), for silence and for
// momentary loudness below the BS.1770 absolute gate.
const LoudnessFloor = -70.0

// biquad is a direct-form-I second-order IIR filter section.
type biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1 = f.x1, x
	f.y2, f.y1 = f.y1, y
	return y
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

// add filters one interleaved sample frame.
func (a *loudnessAcc) add(frame []float32) {
	var z float64
	for c, v := range frame {
		st := &a.stages[c]
		y := st[1].step(st[0].step(float64(v)))
		z += a.weight[c] * y * y
	}
	a.subSum += z
	a.hopSum += z
	a.subFill++
	if a.subFill == a.subLen {
		a.subs = append(a.subs, a.subSum/float64(a.subLen))
		a.subSum, a.subFill = 0, 0
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
func (a *loudnessAcc) blocks(n int) []float64 {
	if len(a.subs) < n {
		return nil
	}
	out := make([]float64, 0, len(a.subs)-n+1)
	var s float64
	for i, v := range a.subs {
		s += v
		if i >= n {
			s -= a.subs[i-n]
		}
		if i >= n-1 {
			out = append(out, max(0, s/float64(n)))
		}
	}
	return out
}

// integrated returns the gated integrated loudness (LUFS), LoudnessFloor for
// silence or audio shorter than 400 ms.
func (a *loudnessAcc) integrated() float64 {
	bl := a.blocks(4)
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
	var l []float64
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

// truePeak tracks the 4×-oversampled peak of every channel.
type truePeak struct {
	ch       int
	h        [tpFactor - 1][tpTaps]float64
	hist     [][]float64 // per channel: last tpTaps-1 samples, then the new block
	peak     float64
	l1       float64 // max over phases of Σ|h|
	blockMax []float64
}

func newTruePeak(channels int) *truePeak {
	t := &truePeak{ch: channels, hist: make([][]float64, channels)}
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
		t.hist[c] = make([]float64, tpTaps-1, tpTaps-1+readBufFrames)
	}
	return t
}

// add consumes interleaved samples.
func (t *truePeak) add(samples []float32) {
	n := len(samples) / t.ch
	for c := range t.ch {
		h := t.hist[c][:tpTaps-1]
		for i := range n {
			v := float64(samples[i*t.ch+c])
			h = append(h, v)
			t.peak = max(t.peak, math.Abs(v))
		}
		// Points between h[j] and h[j+1] use taps h[j-tpHalf+1 .. j+tpHalf].
		// A window is skipped when even its largest sample times the filter's
		// L1 norm cannot exceed the running peak (a rigorous bound); window
		// maxima come from aligned blocks of tpTaps samples.
		nb := (len(h) + tpTaps - 1) / tpTaps
		bm := t.blockMax[:0]
		for b := range nb {
			m := 0.0
			for _, v := range h[b*tpTaps : min(len(h), (b+1)*tpTaps)] {
				m = max(m, math.Abs(v))
			}
			bm = append(bm, m)
		}
		t.blockMax = bm
		for j := tpHalf - 1; j+tpHalf < len(h); j++ {
			s := j - tpHalf + 1
			if max(bm[s/tpTaps], bm[(s+tpTaps-1)/tpTaps])*t.l1 <= t.peak {
				continue
			}
			x := h[s : s+tpTaps]
			for p := range t.h {
				var y float64
				for k, w := range t.h[p] {
					y += w * x[k]
				}
				t.peak = max(t.peak, math.Abs(y))
			}
		}
		copy(h, h[len(h)-(tpTaps-1):])
		t.hist[c] = h[:tpTaps-1]
	}
}

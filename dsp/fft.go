package dsp

import "math"

// realFFT computes power spectra of real frames of n samples (a power of two,
// at least 16) with a complex FFT of n/2 points plus the usual split step.
// The complex FFT is decimation in time: the bit-reversed load runs the
// first three stages as radix-8 butterflies (their twiddles are ±1, ±i and
// (±1±i)/√2), then the remaining stages two at a time as radix-4 passes (3
// complex multiplications per 4 points instead of 4), with a last radix-2
// stage when their count is odd (never for 1024 and 4096 points).
// Every table (bit reversal, per-pass twiddles, split twiddles) is
// precomputed and the work buffers are reused: a transform allocates nothing.
type realFFT struct {
	n, m   int     // frame size and complex FFT size m = n/2
	rev    []int32 // bit reversal of 0..m-1
	passes []fftPass
	split  []splitTwiddle // exp(-2πik/n), k = 0..m/2
	re, im []float64      // work buffers, m each
}

// splitTwiddle is one split-step twiddle (cos, sin).
type splitTwiddle struct{ re, im float64 }

// fftPass is one pass of the complex FFT over blocks of size 2h (radix 2)
// or 4h (radix 4). Radix 4 joins the radix-2 stages of half-sizes h and 2h;
// its twiddles are w^1, w^2, w^3 with w = exp(-iπj/2h), j < h, stored as
// six planes of h values (re w, im w, re w², im w², re w³, im w³), as
// vector loads want them. Radix 2 has w = exp(-iπj/h) (tw2).
type fftPass struct {
	h   int
	tw4 []float64
	tw2 []splitTwiddle
}

func newRealFFT(n int) *realFFT {
	if n < 16 || n&(n-1) != 0 {
		panic("dsp: FFT size must be a power of two ≥ 16")
	}
	m := n / 2
	f := &realFFT{n: n, m: m, rev: make([]int32, m), split: make([]splitTwiddle, m/2+1),
		re: make([]float64, m), im: make([]float64, m)}
	bits := 0
	for 1<<bits < m {
		bits++
	}
	for i := range m {
		r := 0
		for b := range bits {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		f.rev[i] = int32(r)
	}
	h := 8
	for ; 4*h <= m; h *= 4 {
		p := fftPass{h: h, tw4: make([]float64, 6*h)}
		for j := range h {
			a := -math.Pi * float64(j) / float64(2*h)
			for q, v := range [6]float64{math.Cos(a), math.Sin(a), math.Cos(2 * a), math.Sin(2 * a), math.Cos(3 * a), math.Sin(3 * a)} {
				p.tw4[q*h+j] = v
			}
		}
		f.passes = append(f.passes, p)
	}
	if h < m { // odd count of stages after the first three: a last radix-2 stage
		p := fftPass{h: h, tw2: make([]splitTwiddle, h)}
		for j := range h {
			a := -math.Pi * float64(j) / float64(h)
			p.tw2[j] = splitTwiddle{math.Cos(a), math.Sin(a)}
		}
		f.passes = append(f.passes, p)
	}
	for k := range m/2 + 1 {
		a := -2 * math.Pi * float64(k) / float64(n)
		f.split[k] = splitTwiddle{math.Cos(a), math.Sin(a)}
	}
	return f
}

// power writes |X_k|², k = 0..n/2, of the DFT of x[i]·win[i] (both of length
// n; the transform is unnormalised, X_k = Σ x_i e^{-2πiki/n}) into pow.
func (f *realFFT) power(x []float32, win []float64, pow []float64) {
	m := f.m
	x, win, pow = x[:2*m], win[:2*m], pow[:m+1]
	re, im := f.re[:m], f.im[:m]
	f.load(x, win, re, im)
	for _, p := range f.passes {
		if p.tw4 != nil {
			radix4Pass(re, im, p.h, p.tw4)
		} else {
			radix2Pass(re, im, p.h, p.tw2)
		}
	}
	// Split: X_k = E_k + W^k O_k with E_k = (Z_k + conj Z_{m-k})/2 and
	// O_k = (Z_k − conj Z_{m-k})/(2i); X_{m-k} comes from the same pair.
	pow[0] = (re[0] + im[0]) * (re[0] + im[0])
	pow[m] = (re[0] - im[0]) * (re[0] - im[0])
	sp := f.split[:m/2+1]
	// The vector version (when there is one) takes the first k, a
	// multiple of 4.
	for k := 1 + splitPowerVector(re, im, sp, pow); k < len(sp); k++ {
		zr, zi := re[k], im[k]
		yr, yi := re[m-k], im[m-k]
		er, ei := 0.5*(zr+yr), 0.5*(zi-yi)
		or, oi := 0.5*(zi+yi), -0.5*(zr-yr)
		w := sp[k]
		tr := w.re*or - w.im*oi
		ti := w.re*oi + w.im*or
		xr, xi := er+tr, ei+ti
		pow[k] = xr*xr + xi*xi
		// E_{m-k} = conj(E_k), O_{m-k} = conj(O_k), W^{m-k} = −conj(W^k):
		// X_{m-k} = conj(E_k) − conj(W^k O_k).
		xr, xi = er-tr, -ei+ti
		pow[m-k] = xr*xr + xi*xi
	}
}

// load packs even samples as real and odd as imaginary parts (windowed) in
// bit-reversed order, gathered straight into the first three stages, which
// run as radix-8 butterflies: point s+k of a block of eight is input
// rev[s+k] = rev[s] + rev3(k)·m/8, where rev3 reverses three bits.
func (f *realFFT) load(x []float32, win []float64, re, im []float64) {
	m := len(re)
	rev := f.rev[:m]
	if loadVector(x, win, rev, re, im) {
		return
	}
	o := m / 8
	const c = math.Sqrt2 / 2
	for s := 0; s+8 <= m; s += 8 {
		r := int(rev[s])
		p0r, p0i := pair(x, win, r)
		p1r, p1i := pair(x, win, r+4*o)
		p2r, p2i := pair(x, win, r+2*o)
		p3r, p3i := pair(x, win, r+6*o)
		p4r, p4i := pair(x, win, r+o)
		p5r, p5i := pair(x, win, r+5*o)
		p6r, p6i := pair(x, win, r+3*o)
		p7r, p7i := pair(x, win, r+7*o)
		// Two 4-point DFTs: A of p0..p3, B of p4..p7.
		A0r, A0i, A1r, A1i, A2r, A2i, A3r, A3i := dft4(p0r, p0i, p1r, p1i, p2r, p2i, p3r, p3i)
		B0r, B0i, B1r, B1i, B2r, B2i, B3r, B3i := dft4(p4r, p4i, p5r, p5i, p6r, p6i, p7r, p7i)
		// Third stage: B_k times exp(-iπk/4): 1, (1−i)/√2, −i, (−1−i)/√2.
		t1r, t1i := (B1r+B1i)*c, (B1i-B1r)*c
		t2r, t2i := B2i, -B2r
		t3r, t3i := (B3i-B3r)*c, -(B3r+B3i)*c
		r8, i8 := re[s:s+8:s+8], im[s:s+8:s+8]
		r8[0], i8[0] = A0r+B0r, A0i+B0i
		r8[4], i8[4] = A0r-B0r, A0i-B0i
		r8[1], i8[1] = A1r+t1r, A1i+t1i
		r8[5], i8[5] = A1r-t1r, A1i-t1i
		r8[2], i8[2] = A2r+t2r, A2i+t2i
		r8[6], i8[6] = A2r-t2r, A2i-t2i
		r8[3], i8[3] = A3r+t3r, A3i+t3i
		r8[7], i8[7] = A3r-t3r, A3i-t3i
	}
}

// dft4 is the 4-point DFT of the points p0..p3 (first two DIT stages on
// bit-reversed input: p0±p1, p2±p3, then the second stage with twiddles 1
// and −i).
func dft4(p0r, p0i, p1r, p1i, p2r, p2i, p3r, p3i float64) (o0r, o0i, o1r, o1i, o2r, o2i, o3r, o3i float64) {
	a0r, a0i := p0r+p1r, p0i+p1i
	a1r, a1i := p0r-p1r, p0i-p1i
	a2r, a2i := p2r+p3r, p2i+p3i
	a3r, a3i := p2r-p3r, p2i-p3i
	// a1 ± a3·(−i)
	return a0r + a2r, a0i + a2i, a1r + a3i, a1i - a3r, a0r - a2r, a0i - a2i, a1r - a3i, a1i + a3r
}

// pair returns complex input point i: x[2i]·win[2i] + i·x[2i+1]·win[2i+1].
func pair(x []float32, win []float64, i int) (float64, float64) {
	xs, ws := x[2*i:2*i+2:2*i+2], win[2*i:2*i+2:2*i+2]
	return float64(xs[0]) * ws[0], float64(xs[1]) * ws[1]
}

// radix2Pass runs the radix-2 stage of half-size h (twiddles w^j =
// exp(-iπj/h)) over re, im.
func radix2Pass(re, im []float64, h int, tw []splitTwiddle) {
	m := len(re)
	im = im[:m]
	tw = tw[:h]
	for s := 0; s < m; s += 2 * h {
		ar, ai := re[s:s+h], im[s:s+h]
		br, bi := re[s+h:s+2*h], im[s+h:s+2*h]
		ai, br, bi, tw := ai[:len(ar)], br[:len(ar)], bi[:len(ar)], tw[:len(ar)]
		for j := range ar {
			w := tw[j]
			tr := w.re*br[j] - w.im*bi[j]
			ti := w.re*bi[j] + w.im*br[j]
			xr, xi := ar[j], ai[j]
			br[j], bi[j] = xr-tr, xi-ti
			ar[j], ai[j] = xr+tr, xi+ti
		}
	}
}

// radix4PassGo runs the radix-2 stages of half-sizes h and 2h as one
// radix-4 pass over blocks of 4h: with w = exp(-iπj/2h) and a, b, c, d the
// points j, h+j, 2h+j, 3h+j of a block, B = w²b, C = wc, D = w³d, the
// outputs are a+B+C+D, a−B−i(C−D), a+B−C−D and a−B+i(C−D). radix4Pass is
// this or the same arithmetic in vector instructions (fft_amd64.s).
func radix4PassGo(re, im []float64, h int, tw []float64) {
	m := len(re)
	im = im[:m]
	tw = tw[:6*h]
	t1r, t1i, t2r, t2i, t3r, t3i := tw[:h], tw[h:2*h], tw[2*h:3*h], tw[3*h:4*h], tw[4*h:5*h], tw[5*h:6*h]
	for s := 0; s < m; s += 4 * h {
		ar, ai := re[s:s+h], im[s:s+h]
		br, bi := re[s+h:s+2*h], im[s+h:s+2*h]
		cr, ci := re[s+2*h:s+3*h], im[s+2*h:s+3*h]
		dr, di := re[s+3*h:s+4*h], im[s+3*h:s+4*h]
		ai, br, bi = ai[:len(ar)], br[:len(ar)], bi[:len(ar)]
		cr, ci, dr, di = cr[:len(ar)], ci[:len(ar)], dr[:len(ar)], di[:len(ar)]
		t1r, t1i, t2r, t2i, t3r, t3i := t1r[:len(ar)], t1i[:len(ar)], t2r[:len(ar)], t2i[:len(ar)], t3r[:len(ar)], t3i[:len(ar)]
		for j := range ar {
			w1r, w1i, w2r, w2i, w3r, w3i := t1r[j], t1i[j], t2r[j], t2i[j], t3r[j], t3i[j]
			xbr, xbi := br[j], bi[j]
			xcr, xci := cr[j], ci[j]
			xdr, xdi := dr[j], di[j]
			bR := w2r*xbr - w2i*xbi
			bI := w2r*xbi + w2i*xbr
			cR := w1r*xcr - w1i*xci
			cI := w1r*xci + w1i*xcr
			dR := w3r*xdr - w3i*xdi
			dI := w3r*xdi + w3i*xdr
			xar, xai := ar[j], ai[j]
			t0r, t0i := xar+bR, xai+bI
			t1r, t1i := xar-bR, xai-bI
			t2r, t2i := cR+dR, cI+dI
			t3r, t3i := cR-dR, cI-dI
			ar[j], ai[j] = t0r+t2r, t0i+t2i
			cr[j], ci[j] = t0r-t2r, t0i-t2i
			br[j], bi[j] = t1r+t3i, t1i-t3r
			dr[j], di[j] = t1r-t3i, t1i+t3r
		}
	}
}

package dsp

import "math"

// realFFT computes power spectra of real frames of n samples (a power of two,
// at least 16) with a complex FFT of n/2 points plus the usual split step.
// The complex FFT is decimation in time: after the bit-reversed load, the
// first two stages run as multiplication-free radix-4 butterflies, then the
// remaining stages two at a time as radix-4 passes (3 complex multiplications
// per 4 points instead of 4), with a last radix-2 stage when their count is
// odd.
// Every table (bit reversal, per-pass twiddles, split twiddles) is
// precomputed and the work buffers are reused: a transform allocates nothing.
type realFFT struct {
	n, m   int     // frame size and complex FFT size m = n/2
	rev    []int32 // bit reversal of 0..m-1
	passes []fftPass
	spRe   []float64 // split twiddles exp(-2πik/n), k = 0..m/2
	spIm   []float64
	re, im []float64 // work buffers, m each
}

// fftPass is one pass of the complex FFT over blocks of size 2h (radix 2)
// or 4h (radix 4). Radix 4 joins the radix-2 stages of half-sizes h and 2h;
// its twiddles are w^1, w^2, w^3 with w = exp(-iπj/2h), interleaved as
// (re, im) pairs, 6 values per j. Radix 2 has w = exp(-iπj/h), 2 per j.
type fftPass struct {
	h      int
	radix4 bool
	tw     []float64
}

func newRealFFT(n int) *realFFT {
	if n < 16 || n&(n-1) != 0 {
		panic("dsp: FFT size must be a power of two ≥ 16")
	}
	m := n / 2
	f := &realFFT{n: n, m: m, rev: make([]int32, m),
		spRe: make([]float64, m/2+1), spIm: make([]float64, m/2+1), re: make([]float64, m), im: make([]float64, m)}
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
	h := 4
	for ; 4*h <= m; h *= 4 {
		p := fftPass{h: h, radix4: true, tw: make([]float64, 0, 6*h)}
		for j := range h {
			a := -math.Pi * float64(j) / float64(2*h)
			p.tw = append(p.tw, math.Cos(a), math.Sin(a), math.Cos(2*a), math.Sin(2*a), math.Cos(3*a), math.Sin(3*a))
		}
		f.passes = append(f.passes, p)
	}
	if h < m { // odd count of stages after the first two: a last radix-2 stage
		p := fftPass{h: h, tw: make([]float64, 0, 2*h)}
		for j := range h {
			a := -math.Pi * float64(j) / float64(h)
			p.tw = append(p.tw, math.Cos(a), math.Sin(a))
		}
		f.passes = append(f.passes, p)
	}
	for k := range m/2 + 1 {
		a := -2 * math.Pi * float64(k) / float64(n)
		f.spRe[k], f.spIm[k] = math.Cos(a), math.Sin(a)
	}
	return f
}

// power writes |X_k|², k = 0..n/2, of the DFT of x[i]·win[i] (both of length
// n; the transform is unnormalised, X_k = Σ x_i e^{-2πiki/n}) into pow.
func (f *realFFT) power(x []float32, win []float64, pow []float64) {
	m := f.m
	x, win, pow = x[:2*m], win[:2*m], pow[:m+1]
	re, im, rev := f.re[:m], f.im[:m], f.rev[:m]
	// Pack even samples as real and odd as imaginary parts in bit-reversed
	// order, gathered straight into the first two stages, which run as
	// multiplication-free radix-4 butterflies: point s+k of a block of four
	// is input rev[s+k], and rev[s+1], rev[s+2], rev[s+3] are rev[s] plus
	// m/2, m/4 and 3m/4.
	q := m / 4
	for s := 0; s+4 <= m; s += 4 {
		r := int(rev[s])
		e0, e1, e2, e3 := 2*r, 2*(r+2*q), 2*(r+q), 2*(r+3*q)
		x0r, x0i := float64(x[e0])*win[e0], float64(x[e0+1])*win[e0+1]
		x1r, x1i := float64(x[e1])*win[e1], float64(x[e1+1])*win[e1+1]
		x2r, x2i := float64(x[e2])*win[e2], float64(x[e2+1])*win[e2+1]
		x3r, x3i := float64(x[e3])*win[e3], float64(x[e3+1])*win[e3+1]
		a0r, a0i := x0r+x1r, x0i+x1i
		a1r, a1i := x0r-x1r, x0i-x1i
		a2r, a2i := x2r+x3r, x2i+x3i
		a3r, a3i := x2r-x3r, x2i-x3i
		r4, i4 := re[s:s+4:s+4], im[s:s+4:s+4]
		r4[0], i4[0] = a0r+a2r, a0i+a2i
		r4[2], i4[2] = a0r-a2r, a0i-a2i
		// a3·(−i) = (a3i, −a3r)
		r4[1], i4[1] = a1r+a3i, a1i-a3r
		r4[3], i4[3] = a1r-a3i, a1i+a3r
	}
	for _, p := range f.passes {
		if p.radix4 {
			radix4Pass(re, im, p.h, p.tw)
		} else {
			radix2Pass(re, im, p.h, p.tw)
		}
	}
	// Split: X_k = E_k + W^k O_k with E_k = (Z_k + conj Z_{m-k})/2 and
	// O_k = (Z_k − conj Z_{m-k})/(2i); X_{m-k} comes from the same pair.
	pow[0] = (re[0] + im[0]) * (re[0] + im[0])
	pow[m] = (re[0] - im[0]) * (re[0] - im[0])
	spRe, spIm := f.spRe[:m/2+1], f.spIm[:m/2+1]
	for k := 1; k <= m/2; k++ {
		zr, zi := re[k], im[k]
		yr, yi := re[m-k], im[m-k]
		er, ei := 0.5*(zr+yr), 0.5*(zi-yi)
		or, oi := 0.5*(zi+yi), -0.5*(zr-yr)
		wr, wi := spRe[k], spIm[k]
		tr := wr*or - wi*oi
		ti := wr*oi + wi*or
		xr, xi := er+tr, ei+ti
		pow[k] = xr*xr + xi*xi
		// X_{m-k} = conj(E_k) − conj(W^k O_k)·(−1)… written out:
		// E_{m-k} = conj(E_k), O_{m-k} = conj(O_k), W^{m-k} = −conj(W^k).
		xr, xi = er-tr, -ei+ti
		pow[m-k] = xr*xr + xi*xi
	}
}

// radix2Pass runs the radix-2 stage of half-size h (twiddles w^j =
// exp(-iπj/h) as (re, im) pairs) over re, im.
func radix2Pass(re, im []float64, h int, tw []float64) {
	m := len(re)
	im = im[:m]
	tw = tw[:2*h]
	for s := 0; s < m; s += 2 * h {
		ar, ai := re[s:s+h], im[s:s+h]
		br, bi := re[s+h:s+2*h], im[s+h:s+2*h]
		ai, br, bi = ai[:len(ar)], br[:len(ar)], bi[:len(ar)]
		for j := range ar {
			w := tw[2*j : 2*j+2 : 2*j+2]
			wr, wi := w[0], w[1]
			tr := wr*br[j] - wi*bi[j]
			ti := wr*bi[j] + wi*br[j]
			xr, xi := ar[j], ai[j]
			br[j], bi[j] = xr-tr, xi-ti
			ar[j], ai[j] = xr+tr, xi+ti
		}
	}
}

// radix4Pass runs the radix-2 stages of half-sizes h and 2h as one radix-4
// pass over blocks of 4h: with w = exp(-iπj/2h) and a, b, c, d the points
// j, h+j, 2h+j, 3h+j of a block, B = w²b, C = wc, D = w³d, the outputs are
// a+B+C+D, a−B−i(C−D), a+B−C−D and a−B+i(C−D).
func radix4Pass(re, im []float64, h int, tw []float64) {
	m := len(re)
	im = im[:m]
	tw = tw[:6*h]
	for s := 0; s < m; s += 4 * h {
		ar, ai := re[s:s+h], im[s:s+h]
		br, bi := re[s+h:s+2*h], im[s+h:s+2*h]
		cr, ci := re[s+2*h:s+3*h], im[s+2*h:s+3*h]
		dr, di := re[s+3*h:s+4*h], im[s+3*h:s+4*h]
		ai, br, bi = ai[:len(ar)], br[:len(ar)], bi[:len(ar)]
		cr, ci, dr, di = cr[:len(ar)], ci[:len(ar)], dr[:len(ar)], di[:len(ar)]
		for j := range ar {
			w := tw[6*j : 6*j+6 : 6*j+6]
			w1r, w1i, w2r, w2i, w3r, w3i := w[0], w[1], w[2], w[3], w[4], w[5]
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

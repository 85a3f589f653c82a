package dsp

import "math"

// realFFT computes power spectra of real frames of n samples (a power of two,
// at least 16) with a complex radix-2 FFT of n/2 points plus the usual split
// step. Every table (bit reversal, per-stage twiddles, split twiddles) is
// precomputed and the work buffers are reused: a transform allocates nothing.
type realFFT struct {
	n, m   int       // frame size and complex FFT size m = n/2
	rev    []int32   // bit reversal of 0..m-1
	twRe   []float64 // stage twiddles: stage with half-size h at [h-1, 2h-1)
	twIm   []float64
	spRe   []float64 // split twiddles exp(-2πik/n), k = 0..m/2
	spIm   []float64
	re, im []float64 // work buffers, m each
}

func newRealFFT(n int) *realFFT {
	if n < 16 || n&(n-1) != 0 {
		panic("dsp: FFT size must be a power of two ≥ 16")
	}
	m := n / 2
	f := &realFFT{n: n, m: m, rev: make([]int32, m), twRe: make([]float64, m), twIm: make([]float64, m),
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
	for h := 1; h < m; h *= 2 {
		for j := range h {
			a := -math.Pi * float64(j) / float64(h)
			f.twRe[h-1+j], f.twIm[h-1+j] = math.Cos(a), math.Sin(a)
		}
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
	// Pack even samples as real and odd as imaginary parts, bit-reversed.
	for i, r := range rev {
		re[r] = float64(x[2*i]) * win[2*i]
		im[r] = float64(x[2*i+1]) * win[2*i+1]
	}
	// First two stages as multiplication-free radix-4 butterflies.
	for s := 0; s+4 <= m; s += 4 {
		r4, i4 := re[s:s+4:s+4], im[s:s+4:s+4]
		a0r, a0i := r4[0]+r4[1], i4[0]+i4[1]
		a1r, a1i := r4[0]-r4[1], i4[0]-i4[1]
		a2r, a2i := r4[2]+r4[3], i4[2]+i4[3]
		a3r, a3i := r4[2]-r4[3], i4[2]-i4[3]
		r4[0], i4[0] = a0r+a2r, a0i+a2i
		r4[2], i4[2] = a0r-a2r, a0i-a2i
		// a3·(−i) = (a3i, −a3r)
		r4[1], i4[1] = a1r+a3i, a1i-a3r
		r4[3], i4[3] = a1r-a3i, a1i+a3r
	}
	for h := 4; h < m; h *= 2 {
		wr, wi := f.twRe[h-1:2*h-1], f.twIm[h-1:2*h-1]
		for s := 0; s < m; s += 2 * h {
			ar, ai := re[s:s+h], im[s:s+h]
			br, bi := re[s+h:s+2*h], im[s+h:s+2*h]
			ai, br, bi = ai[:len(ar)], br[:len(ar)], bi[:len(ar)]
			wr, wi := wr[:len(ar)], wi[:len(ar)]
			for j := range ar {
				tr := wr[j]*br[j] - wi[j]*bi[j]
				ti := wr[j]*bi[j] + wi[j]*br[j]
				xr, xi := ar[j], ai[j]
				br[j], bi[j] = xr-tr, xi-ti
				ar[j], ai[j] = xr+tr, xi+ti
			}
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

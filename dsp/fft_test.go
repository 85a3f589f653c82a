package dsp

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRealFFT compares the FFT power spectrum with a direct DFT.
func TestRealFFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{16, 32, 1024, 4096} {
		f := newRealFFT(n)
		x := make([]float32, n)
		win := make([]float64, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
			win[i] = 0.5 + rng.Float64()
		}
		pow := make([]float64, n/2+1)
		f.power(x, win, pow)
		var scale float64
		for k := range n/2 + 1 {
			var re, im float64
			for i, v := range x {
				a := -2 * math.Pi * float64(k*i%n) / float64(n)
				re += float64(v) * win[i] * math.Cos(a)
				im += float64(v) * win[i] * math.Sin(a)
			}
			want := re*re + im*im
			scale = max(scale, want)
			if d := math.Abs(pow[k] - want); d > 1e-9*scale+1e-9 {
				t.Fatalf("n=%d k=%d: %v, DFT %v", n, k, pow[k], want)
			}
		}
	}
}

// TestRadix4PassVector checks that radix4Pass (in AVX2 on amd64 CPUs that
// have it) computes exactly what radix4PassGo computes, bit for bit, for
// every pass size of the 1024- and 4096-point transforms.
func TestRadix4PassVector(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, h := range []int{8, 32, 128, 512} {
		for _, m := range []int{4 * h, 16 * h} {
			f := fftPass{h: h, tw4: make([]float64, 6*h)}
			for i := range f.tw4 {
				f.tw4[i] = rng.NormFloat64()
			}
			re, im := make([]float64, m), make([]float64, m)
			for i := range re {
				re[i], im[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			wantRe, wantIm := slices.Clone(re), slices.Clone(im)
			radix4PassGo(wantRe, wantIm, h, f.tw4)
			radix4Pass(re, im, h, f.tw4)
			for i := range re {
				if re[i] != wantRe[i] || im[i] != wantIm[i] {
					t.Fatalf("h=%d m=%d point %d: %v%+vi, Go %v%+vi", h, m, i, re[i], im[i], wantRe[i], wantIm[i])
				}
			}
		}
	}
}

// TestPowerVector: realFFT.power gives bit-identical powers with and
// without its vector code (the load with the first three stages, the
// radix-4 passes, the split loop), at the analysis's sizes and small ones.
func TestPowerVector(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector loop on this CPU")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{16, 32, 64, FrameSize, 4096} {
		f := newRealFFT(n)
		x, win := make([]float32, n), make([]float64, n)
		for i := range x {
			x[i], win[i] = float32(rng.NormFloat64()), rng.Float64()
		}
		got, want := make([]float64, n/2+1), make([]float64, n/2+1)
		f.power(x, win, got)
		useAVX2 = false
		f.power(x, win, want)
		useAVX2 = true
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("n=%d bin %d: %v, Go %v", n, k, got[k], want[k])
			}
		}
	}
}

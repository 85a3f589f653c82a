package dsp

import (
	"math"
	"math/rand/v2"
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

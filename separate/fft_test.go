package separate

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestRealFFT checks both directions against a direct DFT.
func TestRealFFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{8, 16, 32, 256, 2048, 4096} {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		f := newRealFFT(n)
		got := make([]complex128, n/2+1)
		f.forward(got, x)
		var worst float64
		for k := range got {
			var want complex128
			for j, v := range x {
				want += complex(v, 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k%n)/float64(n)))
			}
			worst = max(worst, cmplx.Abs(got[k]-want))
		}
		back := make([]float64, n)
		f.inverse(back, got)
		for i, v := range back {
			worst = max(worst, math.Abs(v/float64(n)-x[i]))
		}
		if worst > 1e-9*float64(n) {
			t.Errorf("n=%d: error %g", n, worst)
		}
	}
}

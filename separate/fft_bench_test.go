package separate

import "testing"

// BenchmarkRealFFT times one forward and one inverse 2048-point transform,
// the separator's frame at 44.1 kHz:
//
//	go test -run '^$' -bench RealFFT ./separate/
func BenchmarkRealFFT(b *testing.B) {
	const n = 2048
	f := newRealFFT(n)
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i%17) - 8
	}
	spec := make([]complex128, n/2+1)
	for b.Loop() {
		f.forward(spec, x)
		f.inverse(x, spec)
	}
}

package dsp

import (
	"math"
	"testing"
)

// TestWaveformRamp feeds the sample index as the signal, so point i's min and
// max are the first and last sample it covers: points must tile the track
// without gaps, each boundary less than one bucket (a quarter point) off i·n/P.
func TestWaveformRamp(t *testing.T) {
	for _, n := range []int64{1, 2, 1023, 1024, 1025, 8191, 8192, 8193, 12345, 100_000, 1<<20 + 7, 5_000_001} {
		w := newWaveAcc()
		for i := range n {
			w.add(float32(i))
		}
		got := w.result()
		p := min(n, WaveformPoints)
		if int64(got.Points) != p || int64(len(got.Min)) != p || int64(len(got.Max)) != p {
			t.Fatalf("n=%d: %d points", n, got.Points)
		}
		if got.Min[0] != 0 || int64(got.Max[p-1]) != n-1 {
			t.Fatalf("n=%d: covers %v..%v", n, got.Min[0], got.Max[p-1])
		}
		tol := 0.0
		if n > waveBuckets {
			tol = float64(n) / float64(p) / 4
		}
		for i := range p {
			if i > 0 && got.Min[i] != got.Max[i-1]+1 {
				t.Fatalf("n=%d: point %d starts at %v, previous ends at %v", n, i, got.Min[i], got.Max[i-1])
			}
			exact := float64(i * n / p) // first sample of point i on the exact grid
			if i*n%p != 0 {
				exact = math.Ceil(float64(i) * float64(n) / float64(p))
			}
			if math.Abs(float64(got.Min[i])-exact) > tol {
				t.Fatalf("n=%d: point %d starts at sample %v, exact grid %v", n, i, got.Min[i], exact)
			}
		}
	}
}

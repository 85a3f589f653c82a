package dsp

import (
	"math"
	"math/rand/v2"
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

// TestWaveVector: waveAcc keeps the same buckets, to the bit (which zero
// too), with and without its vector extrema: noise, silence of mixed ±0,
// all-positive and all-negative stretches, fed in uneven blocks.
func TestWaveVector(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector code on this CPU")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	negZero := float32(math.Copysign(0, -1))
	x := make([]float32, 2_000_000) // buckets of 256 at the end
	for i := range x {
		switch seg := i / 20000 % 5; seg {
		case 0:
			x[i] = float32(rng.NormFloat64() * 0.3)
		case 1: // silence with both zeros
			if rng.IntN(2) == 0 {
				x[i] = negZero
			}
		case 2:
			x[i] = float32(rng.Float64())
		case 3:
			x[i] = -float32(rng.Float64())
		default: // zeros and positives: the minimum is a zero
			if rng.IntN(3) == 0 {
				x[i] = float32(rng.Float64())
			} else if rng.IntN(2) == 0 {
				x[i] = negZero
			}
		}
	}
	vec, gow := newWaveAcc(), newWaveAcc()
	for rest := x; len(rest) > 0; {
		n := min(len(rest), 1+rng.IntN(5000))
		vec.addBlock(rest[:n])
		useAVX2 = false
		gow.addBlock(rest[:n])
		useAVX2 = true
		rest = rest[n:]
	}
	if len(vec.min) != len(gow.min) || vec.size != gow.size {
		t.Fatalf("%d buckets of %d, Go %d of %d", len(vec.min), vec.size, len(gow.min), gow.size)
	}
	for i := range vec.min {
		if math.Float32bits(vec.min[i]) != math.Float32bits(gow.min[i]) || math.Float32bits(vec.max[i]) != math.Float32bits(gow.max[i]) {
			t.Fatalf("bucket %d: [%v, %v], Go [%v, %v]", i, vec.min[i], vec.max[i], gow.min[i], gow.max[i])
		}
	}
}

package separate

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFrameLen(t *testing.T) {
	for rate, want := range map[int]int{8000: 512, 16000: 1024, 22050: 1024, 44100: 2048, 48000: 2048, 96000: 4096, 192000: 8192} {
		if got := frameLen(rate); got != want {
			t.Errorf("frameLen(%d) = %d, want %d", rate, got, want)
		}
	}
}

// TestSTFTPerfectReconstruction checks COLA: analysing and resynthesising
// unmodified frames gives back every sample covered by four frames.
func TestSTFTPerfectReconstruction(t *testing.T) {
	s := newSTFT(8000)
	rng := rand.New(rand.NewPCG(9, 10))
	x := make([]float64, 20*s.hop)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	y := make([]float64, len(x))
	spec := make([]complex128, s.bins)
	for start := 0; start+s.n <= len(x); start += s.hop {
		s.analyze(spec, x[start:start+s.n])
		s.synthesize(y[start:start+s.n], spec)
	}
	for i := s.n - s.hop; i < len(x)-s.n+s.hop; i++ {
		if d := math.Abs(y[i] - x[i]); d > 1e-12 {
			t.Fatalf("sample %d: %v, want %v", i, y[i], x[i])
		}
	}
}

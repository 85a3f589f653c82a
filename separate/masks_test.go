package separate

import (
	"math/rand/v2"
	"testing"
)

// TestMasksPartition checks that the masks of every part lie in [0,1] and
// leave a residual in [0,1]: the masks of every variant sum to 1.
func TestMasksPartition(t *testing.T) {
	const n, rate = 512, 8000
	bins := n/2 + 1
	rng := rand.New(rand.NewPCG(11, 12))
	m := newMasker(bins, n, rate)
	model, bm := testBands(t, bins, n, rate)
	for _, channels := range []int{1, 2, 3} {
		spec := make([][]complex128, channels)
		for c := range spec {
			spec[c] = make([]complex128, bins)
			for b := range spec[c] {
				spec[c][b] = complex(rng.NormFloat64(), rng.NormFloat64())
			}
		}
		spec[0][7] = 0 // a silent bin
		for c := range spec {
			spec[c][7] = 0
		}
		mag, harm, perc := make([]float32, bins), make([]float32, bins), make([]float32, bins)
		for b := range bins {
			mag[b], harm[b], perc[b] = rng.Float32(), rng.Float32(), rng.Float32()
		}
		mag[7], harm[7], perc[7] = 0, 0, 0
		f := &frame{spec: spec, mag: mag, harm: harm, perc: perc, shares: randomShares(rng, model.bands)}
		m.compute(f, bm)
		for b := range bins {
			var sum float64
			for p, mask := range m.masks {
				if v := mask[b]; !(v >= 0 && v <= 1) {
					t.Fatalf("%d channels, bin %d: part %d mask %v", channels, b, p, v)
				}
				sum += mask[b]
			}
			if !(sum <= 1+1e-12) {
				t.Fatalf("%d channels, bin %d: masks sum to %v", channels, b, sum)
			}
		}
	}
}

// TestCentreWeight checks that a centred source goes to vocals and a panned
// one does not.
func TestCentreWeight(t *testing.T) {
	const n, rate = 512, 8000
	bins := n/2 + 1
	m := newMasker(bins, n, rate)
	model, bm := testBands(t, bins, n, rate)
	mag, harm, perc := make([]float32, bins), make([]float32, bins), make([]float32, bins)
	for b := range bins {
		mag[b], harm[b] = 1, 1 // steady: harmonic
	}
	rest := make([]float32, 3*model.bands) // the model leaves everything to the rest
	for k := range model.bands {
		rest[2*model.bands+k] = 1
	}
	const hi = 100 // 1.56 kHz, above the bass band
	for _, tc := range []struct {
		l, r     complex128
		min, max float64
	}{
		{1, 1, 0.99, 1},
		{0.9, 0.3, 0, 0.1},
		{1, -1, 0, 0.01},
	} {
		spec := [][]complex128{make([]complex128, bins), make([]complex128, bins)}
		spec[0][hi], spec[1][hi] = tc.l, tc.r
		m.compute(&frame{spec: spec, mag: mag, harm: harm, perc: perc, shares: rest}, bm)
		if v := m.masks[partVocals][hi]; v < tc.min || v > tc.max {
			t.Errorf("L=%v R=%v: vocals mask %v, want [%v,%v]", tc.l, tc.r, v, tc.min, tc.max)
		}
	}
}

// testBands returns the embedded model and its band map for an n-point STFT
// at rate Hz.
func testBands(t *testing.T, bins, n, rate int) (*maskModel, *bandMap) {
	t.Helper()
	model, err := theModel()
	if err != nil {
		t.Fatal(err)
	}
	return model, newBandMap(model, bins, n, rate)
}

// randomShares returns random model shares: per band three values summing to 1.
func randomShares(rng *rand.Rand, bands int) []float32 {
	s := make([]float32, 3*bands)
	for k := range bands {
		a, b, c := rng.Float32(), rng.Float32(), rng.Float32()
		sum := a + b + c
		s[k], s[bands+k], s[2*bands+k] = a/sum, b/sum, c/sum
	}
	return s
}

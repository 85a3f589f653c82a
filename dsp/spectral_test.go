package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpectralVector: spectral.compute gives bit-identical features with
// and without its vector loop (the Go loop is the fallback on other CPUs),
// frame after frame (the flux reads the previous frame's magnitudes), on
// random spectra with silent bins and exact ties.
func TestSpectralVector(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector loop on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	vec, gosp := newSpectral(AnalysisRate), newSpectral(AnalysisRate)
	for frame := range 50 {
		pow := make([]float64, vec.bins)
		for k := range pow {
			switch rng.IntN(6) {
			case 0: // silent bin
			case 1:
				pow[k] = vec.prevMag[k] * vec.prevMag[k] // the same magnitude as the last frame
			default:
				pow[k] = math.Exp(rng.NormFloat64() * 6)
			}
		}
		var specV, specG [spectrumBands]float32
		got := vec.compute(pow, &specV)
		useAVX2 = false
		want := gosp.compute(pow, &specG)
		useAVX2 = true
		if got != want || specV != specG {
			t.Fatalf("frame %d:\nvector %+v\nGo     %+v", frame, got, want)
		}
		for k := range vec.mag {
			if vec.mag[k] != gosp.mag[k] {
				t.Fatalf("frame %d bin %d: magnitude %v, Go %v", frame, k, vec.mag[k], gosp.mag[k])
			}
		}
	}
}

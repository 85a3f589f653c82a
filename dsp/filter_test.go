package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFilterStereo checks that the two-channel K-weighting loop, in Go and
// in vector instructions (what filter runs on amd64 CPUs with AVX2), gives
// bit-identical output to the general per-channel loop, across blocks.
func TestFilterStereo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, rate := range []int{44100, 48000, 8000} {
		gen, st, goSt := newLoudnessAcc(rate, 2), newLoudnessAcc(rate, 2), newLoudnessAcc(rate, 2)
		for _, n := range []int{1, 7, 4096, 333, 4096} {
			x := make([]float32, 2*n)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 0.3)
			}
			z1, z2 := make([]float64, n), make([]float64, n)
			// The general loop, as filter runs it for other channel counts.
			for c := range 2 {
				one := &loudnessAcc{stages: gen.stages[c : c+1], weight: gen.weight[c : c+1]}
				zc := make([]float64, n)
				mono := make([]float32, n)
				for i := range mono {
					mono[i] = x[2*i+c]
				}
				one.filter(mono, zc)
				for i := range z1 {
					if c == 0 {
						z1[i] = zc[i]
					} else {
						z1[i] += zc[i]
					}
				}
			}
			st.filter(x, z2)
			z3 := make([]float64, n)
			goSt.filterStereoGo(x, z3)
			for i := range z1 {
				if z1[i] != z2[i] || z1[i] != z3[i] {
					t.Fatalf("rate %d, block of %d: z[%d] = %v (Go stereo loop %v), general loop %v", rate, n, i, z2[i], z3[i], z1[i])
				}
			}
		}
	}
}

// TestAnalyzeChannelCounts runs the general (not mono or stereo) paths of
// Analyze: the mix-down, K-weighting and true-peak de-interleave of a
// 3-channel tone must agree with the mono tone (3 equal channels: +4.77 LU).
func TestAnalyzeChannelCounts(t *testing.T) {
	mono := analyzeWAV(t, tone(44100, 1, 440, -6, 3).wav(), Options{})
	for _, ch := range []int{2, 3} {
		a := analyzeWAV(t, tone(44100, ch, 440, -6, 3).wav(), Options{})
		gain := 10 * math.Log10(float64(ch))
		if d := a.Summary.LoudnessLUFS - mono.Summary.LoudnessLUFS - gain; math.Abs(d) > 0.01 {
			t.Errorf("%d channels: loudness %v, mono %v", ch, a.Summary.LoudnessLUFS, mono.Summary.LoudnessLUFS)
		}
		if math.Abs(a.Summary.TruePeakDBTP-mono.Summary.TruePeakDBTP) > 0.01 || a.Summary.PeakDBFS != mono.Summary.PeakDBFS {
			t.Errorf("%d channels: peaks %v/%v, mono %v/%v", ch, a.Summary.TruePeakDBTP, a.Summary.PeakDBFS,
				mono.Summary.TruePeakDBTP, mono.Summary.PeakDBFS)
		}
		if len(a.FrameTimes) != len(mono.FrameTimes) || len(a.Pitch) != len(mono.Pitch) || a.Pitch[len(a.Pitch)/2].Pitch != 9 {
			t.Fatalf("%d channels: %d frames, %d pitch entries; mono %d, %d", ch, len(a.FrameTimes), len(a.Pitch),
				len(mono.FrameTimes), len(mono.Pitch))
		}
		c, m := a.Series[SeriesSpectralCentroid], mono.Series[SeriesSpectralCentroid]
		for i := range c {
			if math.Abs(float64(c[i]-m[i])) > 1e-3*float64(m[i])+1e-3 {
				t.Fatalf("%d channels: centroid[%d] %v, mono %v", ch, i, c[i], m[i])
			}
		}
	}
}

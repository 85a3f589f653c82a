package dsp

import (
	"math"
	"testing"
)

// TestOnsetsCloseNotes: pairs of plucked notes a minor third apart, the
// second 12 dB softer and 50 ms after the first (two note onsets, as a
// chord spread or a flam plays them), give both onsets.
func TestOnsetsCloseNotes(t *testing.T) {
	const rate = 44100
	g := newSignal(rate, 1, 8)
	note := func(freq, amp float64) (int, func(int) float64) {
		return rate / 2, func(i int) float64 {
			s := float64(i) / rate
			var v float64
			for h := 1.0; h <= 4; h++ {
				v += math.Sin(2*math.Pi*freq*h*s) / h
			}
			return amp * v * math.Exp(-s/0.15)
		}
	}
	var truth []float64
	for k := range 12 {
		t0 := 0.5 + 0.6*float64(k)
		n, f := note(220, 0.2)
		g.addMono(int(t0*rate), n, f)
		n, f = note(262, 0.05)
		g.addMono(int((t0+0.05)*rate), n, f)
		truth = append(truth, t0, t0+0.05)
	}
	a := analyzeWAV(t, g.wav(), Options{})
	if f := fMeasure(truth, a.Onsets, 0.02); f < 0.9 {
		t.Errorf("onset F %.3f: %v", f, a.Onsets)
	}
}

// TestOnsetsNoise: stationary white and pink noise give no onsets.
func TestOnsetsNoise(t *testing.T) {
	for _, pink := range []bool{false, true} {
		g := newSignal(44100, 1, 8)
		rng := newRand(5)
		var b0, b1, b2 float64
		g.addMono(0, g.frames(), func(int) float64 {
			w := rng.Float64()*2 - 1
			if !pink {
				return 0.3 * w
			}
			// Paul Kellet's economy pink filter.
			b0 = 0.99765*b0 + w*0.0990460
			b1 = 0.96300*b1 + w*0.2965164
			b2 = 0.57000*b2 + w*1.0526913
			return 0.1 * (b0 + b1 + b2 + w*0.1848)
		})
		a := analyzeWAV(t, g.wav(), Options{})
		if len(a.Onsets) > 1 {
			t.Errorf("pink %v: %d onsets %v", pink, len(a.Onsets), a.Onsets)
		}
	}
}

// BenchmarkOnsetEnvelope measures one frame of the onset-event envelope on
// the spectra of a noise.
func BenchmarkOnsetEnvelope(b *testing.B) {
	e := newOnsetEnvelope(44100)
	pows := benchSpectra()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.frame(pows[i%len(pows)])
		i++
	}
}

// BenchmarkNovelty measures one frame of novelty (the tracking envelopes)
// on the same spectra, for comparison.
func BenchmarkNovelty(b *testing.B) {
	n := newNovelty(44100)
	pows := benchSpectra()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n.frame(pows[i%len(pows)])
		i++
	}
}

// benchSpectra returns 16 power spectra of white noise frames.
func benchSpectra() [][]float64 {
	s := newSTFT(FrameSize)
	rng := newRand(1)
	fr := make([]float32, FrameSize)
	pows := make([][]float64, 16)
	for k := range pows {
		for i := range fr {
			fr[i] = float32(0.3 * (rng.Float64()*2 - 1))
		}
		pows[k] = make([]float64, FrameSize/2+1)
		s.power(fr, pows[k])
	}
	return pows
}

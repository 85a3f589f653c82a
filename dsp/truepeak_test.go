package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTruePeakScreen: the screened true peak equals the one computed at every
// point (only the rigorous L1 skip) on tones, noise, drums, chords and a
// fs/4 sine at 45° (the textbook +3 dB inter-sample overshoot), and a late
// high-frequency burst is still found.
func TestTruePeakScreen(t *testing.T) {
	var off []float64
	drums, _ := drumPattern(44100, 120, 10, &off)
	noise := newSignal(44100, 2, 5)
	rng := newRand(5)
	noise.addMono(0, noise.frames(), func(int) float64 { return 0.2 * (rng.Float64()*2 - 1) })
	quarter := newSignal(44100, 1, 2)
	quarter.addMono(0, quarter.frames(), func(i int) float64 { return 0.5 * math.Sin(math.Pi/2*float64(i)+math.Pi/4) })
	burst := newSignal(48000, 2, 4)
	burst.addMono(0, burst.frames(), func(i int) float64 { return 0.3 * math.Sin(2*math.Pi*440*float64(i)/48000) })
	burst.addMono(3*48000, 4800, func(i int) float64 { return 0.25 * math.Sin(math.Pi/2*float64(i)+math.Pi/4) })
	for _, tc := range []struct {
		name string
		g    *signal
	}{
		{"sine-9k", tone(44100, 2, 9000, -3, 5)}, {"sine-1k", tone(48000, 1, 1000, -1, 3)}, {"noise", noise},
		{"drums", drums}, {"triads", triads(44100, []int{60, 65}, []bool{false, true}, 2)},
		{"quarter", quarter}, {"burst", burst},
	} {
		run := func(screen float64) float64 {
			tp := newTruePeak(tc.g.ch)
			tp.screen = screen
			for i := 0; i < len(tc.g.s); i += readBufFrames * tc.g.ch {
				tp.add(tc.g.s[i:min(len(tc.g.s), i+readBufFrames*tc.g.ch)])
			}
			return tp.peak
		}
		full, screened := run(math.Inf(1)), run(math.Pow(10, tpScreenDB/20.0))
		t.Logf("%-8s true peak %.4f dB", tc.name, 20*math.Log10(full))
		if full != screened {
			t.Errorf("%s: screened true peak %v, full %v", tc.name, screened, full)
		}
	}
}

// TestTruePeakHelpers: the unrolled channel copy and block maximum give the
// plain loops' results at every length around their unrolling.
func TestTruePeakHelpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for n := range 40 {
		src := make([]float32, 2*n+1)
		for i := range src {
			src[i] = float32(rng.NormFloat64())
		}
		dst := make([]float32, n)
		if n > 0 {
			deinterleave2(dst, src[:2*n-1])
		}
		var want uint32
		for i := range dst {
			if dst[i] != src[2*i] {
				t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, dst[i], src[2*i])
			}
		}
		for _, v := range src[:n] {
			want = max(want, math.Float32bits(float32(math.Abs(float64(v)))))
		}
		if got := maxAbsBits(src[:n]); got != want {
			t.Fatalf("n=%d: max |v| bits %x, want %x", n, got, want)
		}
	}
	// The vector block maxima (when there are) are maxAbsBits per block.
	h := make([]float32, 10*tpTaps+5)
	for i := range h {
		h[i] = float32(rng.NormFloat64())
		if i%7 == 0 {
			h[i] = -h[i] * 100 // the largest magnitude negative
		}
	}
	out := make([]float32, 11)
	nb := blockMaxVector(h, out)
	if useAVX2 && nb != 10 {
		t.Fatalf("%d vector blocks of %d samples, want 10", nb, len(h))
	}
	for b := range nb {
		if want := maxAbsBits(h[b*tpTaps : (b+1)*tpTaps]); math.Float32bits(out[b]) != want {
			t.Fatalf("block %d: %v, want %v", b, out[b], math.Float32frombits(want))
		}
	}
}

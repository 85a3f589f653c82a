package dsp

import (
	"math"
	"testing"
)

// band synthesises a small arrangement: bars of bpb beats whose tempo at
// beat k is bpm(k); a chord on every downbeat (a four-chord progression, one
// chord a bar) and a bass note on every beat from level 1, drums from
// level 2 (kick on 1 (and 3 in 4/4), snare on the backbeats of 4/4, hats on
// every quaver), doubled hats and louder drums at level 3. level(bar) lays
// out the arrangement. It returns the signal, the beat and the downbeat
// times.
func band(rate, bars, bpb int, bpm func(k int) float64, level func(bar int) int) (*signal, []float64, []float64) {
	var beats []float64
	t := 0.2
	for k := range bars*bpb + 1 {
		beats = append(beats, t)
		t += 60 / bpm(k)
	}
	g := newSignal(rate, 2, t+1)
	var downs []float64
	at := func(t float64) int { return int(math.Round(t * float64(rate))) }
	kn, kf := kick(rate, 0.5)
	sn, sf := noiseHit(rate, 0.35, 0.05, false, 1)
	hn, hf := noiseHit(rate, 0.12, 0.015, true, 2)
	roots := []int{48, 53, 55, 45} // C F G A (the last minor)
	note := func(start, dur float64, midi int, amp float64) {
		f := 440 * math.Pow(2, float64(midi-69)/12)
		g.addMono(at(start), at(dur), func(i int) float64 {
			s := float64(i) / float64(rate)
			env := math.Min(1, s/0.005) * math.Exp(-s/(0.6*dur+0.05))
			return amp * env * (math.Sin(2*math.Pi*f*s) + 0.4*math.Sin(4*math.Pi*f*s) + 0.2*math.Sin(6*math.Pi*f*s))
		})
	}
	for bar := range bars {
		lv := level(bar)
		r := roots[bar%len(roots)]
		third := 4
		if bar%len(roots) == 3 {
			third = 3
		}
		loud := 1.0
		if lv >= 3 {
			loud = 1.6
		}
		for b := range bpb {
			k := bar*bpb + b
			bt, next := beats[k], beats[k+1]
			if b == 0 {
				downs = append(downs, bt)
			}
			if lv >= 1 {
				if b == 0 {
					for _, m := range []int{r + 12, r + 12 + third, r + 19} {
						note(bt, next-bt+float64(bpb-1)*(next-bt), m, 0.05)
					}
				}
				note(bt, next-bt, r-12, 0.12)
			}
			if lv >= 2 {
				if b == 0 || (bpb == 4 && b == 2) {
					g.addMono(at(bt), kn, func(i int) float64 { return loud * kf(i) })
				}
				if bpb == 4 && b%2 == 1 {
					g.addMono(at(bt), sn, func(i int) float64 { return loud * sf(i) })
				}
				subs := 2
				if lv >= 3 {
					subs = 4
				}
				for s := range subs {
					g.addMono(at(bt+float64(s)*(next-bt)/float64(subs)), hn, hf)
				}
			}
		}
	}
	return g, beats, downs
}

func steady(bpm float64) func(int) float64 { return func(int) float64 { return bpm } }

// TestNoRhythmInStationarySignals: a steady tone, a held chord that swells
// in, white and pink noise give no onsets, no beats, no tempo (0 and 0
// confidence), no bars and no sections.
func TestNoRhythmInStationarySignals(t *testing.T) {
	rng := newRand(9)
	white := newSignal(44100, 1, 8)
	white.addMono(0, white.frames(), func(int) float64 { return 0.3 * (rng.Float64()*2 - 1) })
	pink := newSignal(44100, 1, 8)
	var b [7]float64
	pink.addMono(0, pink.frames(), func(int) float64 { // Kellet's pink filter
		x := rng.Float64()*2 - 1
		b[0] = 0.99886*b[0] + x*0.0555179
		b[1] = 0.99332*b[1] + x*0.0750759
		b[2] = 0.96900*b[2] + x*0.1538520
		b[3] = 0.86650*b[3] + x*0.3104856
		b[4] = 0.55000*b[4] + x*0.5329522
		b[5] = -0.7616*b[5] - x*0.0168980
		v := b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + x*0.5362
		b[6] = x * 0.115926
		return 0.08 * v
	})
	pad := newSignal(44100, 2, 8)
	for _, f := range []float64{220, 277.18, 329.63} {
		pad.addMono(0, pad.frames(), func(i int) float64 {
			s := float64(i) / 44100
			return 0.1 * math.Min(1, s/1.5) * math.Sin(2*math.Pi*f*s+0.3*math.Sin(2*math.Pi*5*s))
		})
	}
	for _, tc := range []struct {
		name string
		g    *signal
	}{{"sine 440 Hz", tone(44100, 1, 440, -6, 8)}, {"white noise", white}, {"pink noise", pink}, {"pad", pad}} {
		a := analyzeWAV(t, tc.g.wav(), Options{})
		s := a.Summary
		if len(a.Onsets) != 0 || len(a.Transients) != 0 || len(a.Beats) != 0 || s.BPM != 0 || s.BPMConfidence != 0 ||
			len(a.Downbeats) != 0 || len(a.Sections) != 0 || s.TimeSignature.BeatsPerBar != 0 {
			t.Errorf("%s: %d onsets, %d beats, %v BPM (conf %v), %d downbeats, %d sections, %+v", tc.name, len(a.Onsets),
				len(a.Beats), s.BPM, s.BPMConfidence, len(a.Downbeats), len(a.Sections), s.TimeSignature)
		}
	}
}

// TestBPMIsTheBeatGrid: the reported tempo is the tempo of the emitted
// beats, and a clear beat has a confident tempo.
func TestBPMIsTheBeatGrid(t *testing.T) {
	for _, bpm := range []float64{72, 97, 131, 166} {
		g, _, _ := band(44100, 12, 4, steady(bpm), func(int) int { return 2 })
		a := analyzeWAV(t, g.wav(), Options{})
		b := a.Beats
		if len(b) < 16 {
			t.Fatalf("%v BPM: %d beats", bpm, len(b))
		}
		grid := 60 * float64(len(b)-1) / (b[len(b)-1] - b[0])
		if math.Abs(a.Summary.BPM-grid) > 0.005*grid || math.Abs(a.Summary.BPM-bpm) > 0.01*bpm {
			t.Errorf("%v BPM: reports %v, its beats are at %v", bpm, a.Summary.BPM, grid)
		}
		if c := a.Summary.BPMConfidence; c < 0.2 || c > 1 {
			t.Errorf("%v BPM: confidence %v", bpm, c)
		}
	}
}

// TestSlowBeatWithQuavers: kick and snare at 70 BPM under quaver hats is
// 70, not 140; the same pattern at 150 is 150, not 75.
func TestSlowBeatWithQuavers(t *testing.T) {
	for _, bpm := range []float64{70, 150} {
		g, truth, _ := band(44100, 16, 4, steady(bpm), func(int) int { return 2 })
		a := analyzeWAV(t, g.wav(), Options{})
		if math.Abs(a.Summary.BPM-bpm) > 0.01*bpm {
			t.Errorf("%v BPM: got %v", bpm, a.Summary.BPM)
		}
		if f := fMeasure(trim(truth), trim(a.Beats), 0.07); f < 0.9 {
			t.Errorf("%v BPM: beat F %.3f", bpm, f)
		}
	}
}

// TestBeatsFollowTempoChange: an accelerando from 96 to 132 BPM over the
// middle of the track (and a step back to 100 at the end) keeps beat F ≥ 0.9.
func TestBeatsFollowTempoChange(t *testing.T) {
	bpm := func(k int) float64 {
		switch {
		case k < 32:
			return 96
		case k < 96:
			return 96 + 36*float64(k-32)/64
		case k < 128:
			return 132
		}
		return 100
	}
	g, truth, _ := band(44100, 40, 4, bpm, func(int) int { return 2 })
	a := analyzeWAV(t, g.wav(), Options{})
	if f := fMeasure(trim(truth), trim(a.Beats), 0.07); f < 0.9 {
		t.Errorf("beat F %.3f through the tempo change (%d beats, %d true)", f, len(a.Beats), len(truth))
	}
}

// TestMeterAndDownbeats: a waltz reads 3 beats a bar and a 4/4 song 4, with
// the downbeats on the bars' first beats and each beat's position counted.
func TestMeterAndDownbeats(t *testing.T) {
	for _, tc := range []struct {
		bpb int
		bpm float64
	}{{3, 138}, {3, 96}, {4, 112}, {4, 84}} {
		g, _, downs := band(44100, 20, tc.bpb, steady(tc.bpm), func(int) int { return 2 })
		a := analyzeWAV(t, g.wav(), Options{})
		ts := a.Summary.TimeSignature
		if ts.BeatsPerBar != tc.bpb || ts.Confidence <= 0 {
			t.Errorf("%d/4 at %v: %+v", tc.bpb, tc.bpm, ts)
		}
		if f := fMeasure(trim(downs), trim(a.Downbeats), 0.07); f < 0.8 {
			t.Errorf("%d/4 at %v: downbeat F %.3f", tc.bpb, tc.bpm, f)
		}
		if len(a.BeatPositions) != len(a.Beats) {
			t.Fatalf("%d positions for %d beats", len(a.BeatPositions), len(a.Beats))
		}
		for k, p := range a.BeatPositions {
			if k > 0 && p != a.BeatPositions[k-1]%tc.bpb+1 && p != 1 {
				t.Errorf("%d/4: position %d after %d", tc.bpb, p, a.BeatPositions[k-1])
				break
			}
		}
	}
}

// TestSections: an arrangement that changes every 8 bars (bass and chords,
// then the drums, then louder drums, then the drums out) has its
// boundaries on those downbeats (±0.5 s), no others, with labels and
// loudness that follow; the same 32 bars unchanged are one section.
func TestSections(t *testing.T) {
	levels := []int{1, 2, 3, 1}
	g, _, downs := band(44100, 32, 4, steady(120), func(bar int) int { return levels[bar/8] })
	a := analyzeWAV(t, g.wav(), Options{})
	want := []float64{downs[8], downs[16], downs[24]}
	var got []float64
	for _, s := range a.Sections[1:] {
		got = append(got, s.Start)
	}
	if f := fMeasure(want, got, 0.5); f < 0.99 {
		t.Errorf("boundaries %v, want %v", got, want)
	}
	if len(a.Sections) == 4 {
		s := a.Sections
		if s[0].Start != 0 || s[3].End != a.Summary.Duration || s[2].Energy != 1 || s[0].Energy >= s[1].Energy ||
			s[2].LoudnessLUFS <= s[1].LoudnessLUFS || s[2].Label != SectionChorus || s[0].Label != SectionIntro || s[3].Label != SectionOutro {
			t.Errorf("sections %+v", s)
		}
		for i := 1; i < len(s); i++ {
			if s[i].Start != s[i-1].End {
				t.Errorf("section %d starts at %v, the previous ends at %v", i, s[i].Start, s[i-1].End)
			}
		}
	}
	g, _, _ = band(44100, 32, 4, steady(120), func(int) int { return 2 })
	a = analyzeWAV(t, g.wav(), Options{})
	if len(a.Sections) != 1 {
		t.Errorf("a steady song split into %d sections: %+v", len(a.Sections), a.Sections)
	}
	// A 4-bar figure (two bars of the louder drums, two of the others) is
	// steady too.
	g, _, _ = band(44100, 32, 4, steady(120), func(bar int) int { return 2 + bar/2%2 })
	a = analyzeWAV(t, g.wav(), Options{})
	if len(a.Sections) != 1 {
		t.Errorf("a repeating 4-bar figure split into %d sections: %+v", len(a.Sections), a.Sections)
	}
}

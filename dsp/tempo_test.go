package dsp

import (
	"math"
	"slices"
	"testing"
)

// pulses returns an envelope of secs seconds at fps frames a second with an
// impulse every beat (bpm), of height level(k) for beat k.
func pulses(fps, bpm, secs float64, level func(k int) float32) []float32 {
	env := make([]float32, int(secs*fps))
	for k := 0; ; k++ {
		i := int(math.Round(float64(k) * 60 / bpm * fps))
		if i >= len(env) {
			return env
		}
		env[i] = level(k)
	}
}

// spread spreads each onset of env over ±3 frames, as real notes' onsets
// spread.
func spread(env []float32) []float32 {
	out := make([]float32, len(env))
	for i := range env {
		for j := max(0, i-3); j <= min(len(env)-1, i+3); j++ {
			out[i] += env[j] * float32(4-max(i-j, j-i)) / 4
		}
	}
	return out
}

// periodBPM runs estimatePeriod, with env as the mid band too, and returns
// its tempo.
func periodBPM(env, full []float32, fps float64) float64 {
	P, _, _, _ := estimatePeriod(env, env, full, fps, make([]float64, len(env)))
	if P <= 0 {
		return 0
	}
	return 60 * fps / P
}

// A 120 BPM pulse whose low and mid bands accent every other beat (a bass
// on one and three) is its strongest periodicity, but from the slower level
// the climb needs the whole spectrum, where the quarters are even (cowbell,
// guiro); a 70 BPM beat whose quavers only the whole spectrum hears (hats)
// stays at 70.
func TestFullBandEvidenceBelowTheStrongestPeriodicity(t *testing.T) {
	fps := 44100.0 / HopSize
	alternate := func(k int) float32 { return []float32{1, 0.3}[k%2] }
	even := func(int) float32 { return 1 }
	env := pulses(fps, 120, 30, alternate)
	if got := periodBPM(env, env, fps); math.Abs(got-60) > 1 {
		t.Fatalf("low and mid alone: %.1f BPM, want the 60 BPM reading this test is about", got)
	}
	if got := periodBPM(env, pulses(fps, 120, 30, even), fps); math.Abs(got-120) > 1.2 {
		t.Errorf("with even quarters in the full band: %.1f BPM, want 120", got)
	}
	ballad := pulses(fps, 70, 30, even)
	if got := periodBPM(ballad, pulses(fps, 140, 30, even), fps); math.Abs(got-70) > 0.7 {
		t.Errorf("ballad under quaver hats: %.1f BPM, want 70", got)
	}
}

// A 155 BPM waltz whose downbeats dominate has its bar (51.7 BPM, slower
// than any beat) as the strongest periodicity: it is read in three.
func TestBarOfThreeSlowerThanAnyBeat(t *testing.T) {
	fps := 44100.0 / HopSize
	env := pulses(fps, 155, 30, func(k int) float32 { return []float32{1, 0.15, 0.15}[k%3] })
	if got := periodBPM(env, env, fps); math.Abs(got-155) > 1.6 {
		t.Errorf("waltz: %.1f BPM, want 155", got)
	}
}

// A grid that plays 80 beats at 74 BPM and then 92 at 65.1 reports the
// tempo it keeps for longer, whichever part has more runs, and a steady
// grid with one skipped beat still reports its tempo.
func TestGridBPMPrevailingTempo(t *testing.T) {
	grid := func(parts ...[2]float64) []float64 {
		var out []float64
		at := 0.0
		for _, p := range parts {
			for range int(p[0]) {
				out = append(out, at)
				at += 60 / p[1]
			}
		}
		return out
	}
	if got := gridBPM(grid([2]float64{80, 74}, [2]float64{92, 65.1})); math.Abs(got-65.1) > 0.05 {
		t.Errorf("step 74 -> 65.1: %.2f BPM, want 65.1 (the longer part)", got)
	}
	// Fewer beats but more time at the slower tempo: 75 s at 60 against
	// 66 s at 90 (100 beats).
	if got := gridBPM(grid([2]float64{100, 90}, [2]float64{75, 60})); math.Abs(got-60) > 0.05 {
		t.Errorf("step 90 -> 60: %.2f BPM, want 60 (the part that lasts longer)", got)
	}
	// The slower part lasts a little longer, but the tracker added three
	// beats in its middle: the runs that span them are lost, the time
	// around them is not.
	g := grid([2]float64{80, 74}, [2]float64{75, 65.1})
	for _, k := range []int{110, 112, 114} {
		g = slices.Insert(g, k+1, (g[k]+g[k+1])/2)
	}
	if got := gridBPM(g); math.Abs(got-65.1) > 0.05 {
		t.Errorf("step 74 -> 65.1 with three added beats: %.2f BPM, want 65.1", got)
	}
	steady := grid([2]float64{200, 123})
	steady = append(steady[:100], steady[101:]...)
	if got := gridBPM(steady); math.Abs(got-123) > 0.05 {
		t.Errorf("steady 123 with a skipped beat: %.2f BPM", got)
	}
}

// A 170 BPM waltz whose chords on two and three are struck like the next
// bar's is read at its beat, not its bar (56.7 BPM, a beat in range too),
// while 6/8 at 58, whose snare on the second dotted quarter stands above
// the quavers between, keeps its dotted quarter.
func TestBarOfThreeOrCompoundBeat(t *testing.T) {
	fps := 44100.0 / HopSize
	level := func(pattern ...float32) func(int) float32 {
		return func(k int) float32 { return pattern[k%len(pattern)] }
	}
	// Low and mid bands: the downbeat's bass and chord, two soft chords;
	// mid band alone: the chord changes every other bar.
	waltz := pulses(fps, 170, 40, level(1, 0.25, 0.25))
	waltzMid := pulses(fps, 170, 40, level(0.6, 0.3, 0.3, 0.3, 0.3, 0.3))
	P, _, _, group := estimatePeriod(waltz, waltzMid, waltz, fps, make([]float64, len(waltz)))
	if got := 60 * fps / P; math.Abs(got-170) > 1.7 || group != 3 {
		t.Errorf("waltz: %.1f BPM in bars of %d, want 170 in bars of 3", got, group)
	}
	// Kick on one, snare on four, quavers between.
	sixEight := pulses(fps, 174, 40, level(1, 0.2, 0.2, 0.8, 0.2, 0.2))
	sixEightMid := pulses(fps, 174, 40, level(0.4, 0.15, 0.15, 0.8, 0.15, 0.15))
	P, _, _, _ = estimatePeriod(sixEight, sixEightMid, sixEight, fps, make([]float64, len(sixEight)))
	if got := 60 * fps / P; math.Abs(got-58) > 0.6 {
		t.Errorf("6/8: %.1f BPM, want the dotted quarter, 58", got)
	}
}

// A waltz's passage that marks only its bars keeps the beat's period when
// the bar is known to have three beats (the half bar, 1.5 beats, scored as
// high with the comb at twice the lag).
func TestLocalPeriodsKeepTheBeatOfABarOfThree(t *testing.T) {
	fps := 44100.0 / HopSize
	env := pulses(fps, 170, 60, func(k int) float32 {
		if k < 84 { // 30 s of bars alone
			return []float32{1, 0, 0}[k%3]
		}
		return []float32{1, 0.4, 0.4}[k%3]
	})
	env = spread(env)
	P := 60 * fps / 170
	periods, _ := localPeriods(env, P, fps, 3)
	if len(periods) == 0 {
		t.Fatal("no local periods")
	}
	for w, p := range periods {
		if math.Abs(p/P-1) > 0.03 {
			t.Fatalf("window %d: period %.1f frames, want %.1f", w, p, P)
		}
	}
}

// A 103 BPM waltz, read at its beat directly, still groups its beats in
// threes (its low and mid bands recur most three beats apart); a 4/4
// pattern at the same tempo groups in twos.
func TestBeatGroupFromRecurrence(t *testing.T) {
	fps := 44100.0 / HopSize
	for _, c := range []struct {
		name    string
		pattern []float32
		group   int
	}{{"waltz", []float32{1, 0.4, 0.4}, 3}, {"4/4", []float32{1, 0.4, 0.7, 0.4}, 2}} {
		env := spread(pulses(fps, 103, 40, func(k int) float32 { return c.pattern[k%len(c.pattern)] }))
		P, _, _, group := estimatePeriod(env, env, env, fps, make([]float64, len(env)))
		if got := 60 * fps / P; math.Abs(got-103) > 1 || group != c.group {
			t.Errorf("%s: %.1f BPM in bars of %d, want 103 in bars of %d", c.name, got, group, c.group)
		}
	}
}

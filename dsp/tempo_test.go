package dsp

import (
	"math"
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

// periodBPM runs estimatePeriod and returns its tempo.
func periodBPM(env, full []float32, fps float64) float64 {
	P, _, _ := estimatePeriod(env, full, fps, make([]float64, len(env)))
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

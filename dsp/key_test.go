package dsp

import (
	"math"
	"testing"
)

// TestKeyClose: an i–iv loop has the same pitch content whichever chord
// ends it, and without a close both orders read as one key; the held final
// chord names the tonic: F–C–F–C–F–C minor chords read as C minor,
// C–F–C–F–C–F as F minor.
func TestKeyClose(t *testing.T) {
	for _, tc := range []struct {
		roots []int
		want  string
	}{{[]int{65, 60, 65, 60, 65, 60}, "C"}, {[]int{60, 65, 60, 65, 60, 65}, "F"}} {
		s := analyzeWAV(t, pluckedMinorChords(44100, tc.roots, 2).wav(), Options{}).Summary
		if s.Key != tc.want || s.Mode != "minor" {
			t.Errorf("%v: got %s %s (%.3f), want %s minor", tc.roots, s.Key, s.Mode, s.KeyConfidence, tc.want)
		}
	}
}

// pluckedMinorChords plays minor triads on roots (MIDI notes), each for dur
// seconds and struck (a 5 ms attack, decaying by 12 dB a second, three
// harmonics) so that every chord is an onset.
func pluckedMinorChords(rate int, roots []int, dur float64) *signal {
	g := newSignal(rate, 1, dur*float64(len(roots)))
	for j, r := range roots {
		for _, m := range []int{r, r + 3, r + 7} {
			f := 440 * math.Pow(2, float64(m-69)/12)
			g.addMono(int(float64(j)*dur*float64(rate)), int(dur*float64(rate)), func(i int) float64 {
				t := float64(i) / float64(rate)
				env := math.Min(1, t/0.005) * math.Pow(10, -12*t/20) * math.Min(1, (dur-t)/0.01)
				return env * 0.1 * (math.Sin(2*math.Pi*f*t) + 0.5*math.Sin(4*math.Pi*f*t) + 0.25*math.Sin(6*math.Pi*f*t))
			})
		}
	}
	return g
}

// TestKeyNoClose: alternating F minor and C minor chord frames read as F
// minor as a whole; held for 2 s, the closing C minor chord makes it C
// minor, but a piece cut off (its last onset 0.5 s, under keyHeldSeconds,
// before the end) or without onsets has no close and keeps the whole
// piece's key.
func TestKeyNoClose(t *testing.T) {
	const rate = 44100
	step := float64(chromaEvery*HopSize) / rate
	cm := [chromaClasses]float32{0: 1, 3: 1, 7: 1}
	fm := [chromaClasses]float32{5: 1, 8: 1, 0: 1}
	var frames [][chromaClasses]float32
	var onsets []float64
	for c := range 6 { // 2 s chords, F minor first
		onsets = append(onsets, float64(len(frames))*step)
		for range int(2 / step) {
			frames = append(frames, [2][chromaClasses]float32{fm, cm}[c%2])
		}
	}
	for _, tc := range []struct {
		name   string
		onsets []float64
		want   string
	}{
		{"no onsets", nil, "F"},
		{"held close", onsets, "C"},
		{"cut off", append(onsets, float64(len(frames))*step-0.5), "F"},
	} {
		if tonic, mode, _ := estimateKey(frames, rate, tc.onsets); PitchClasses[tonic] != tc.want || mode != "minor" {
			t.Errorf("%s: got %s %s, want %s minor", tc.name, PitchClasses[tonic], mode, tc.want)
		}
	}
}

// TestKeyPicardy: the close names the tonic, the whole piece the mode: a
// C minor piece (alternating F minor and C minor chords) that ends on a
// held C major chord is C minor.
func TestKeyPicardy(t *testing.T) {
	const rate = 44100
	step := float64(chromaEvery*HopSize) / rate
	chords := [][chromaClasses]float32{
		{5: 1, 8: 1, 0: 1}, // F minor
		{0: 1, 3: 1, 7: 1}, // C minor
		{5: 1, 8: 1, 0: 1},
		{0: 1, 3: 1, 7: 1},
		{5: 1, 8: 1, 0: 1},
		{0: 1, 4: 1, 7: 1}, // C major
	}
	var frames [][chromaClasses]float32
	var onsets []float64
	for _, c := range chords {
		onsets = append(onsets, float64(len(frames))*step)
		for range int(2 / step) {
			frames = append(frames, c)
		}
	}
	if tonic, mode, _ := estimateKey(frames, rate, onsets); PitchClasses[tonic] != "C" || mode != "minor" {
		t.Errorf("got %s %s, want C minor", PitchClasses[tonic], mode)
	}
}

package dsp

import (
	"math/rand/v2"
	"testing"
)

// TestArrangementPlacesTheBar: with a kick on beats 1 and 3 alike and no
// harmony to tell them apart, the bar line goes where the arrangement
// changes (a part entering or leaving every 8 bars, on beat 1), in every
// phase, from the first change on (without the arrangement term two of the
// four phases fail).
func TestArrangementPlacesTheBar(t *testing.T) {
	const n = 4 * 64
	for phase := range 4 {
		r := rand.New(rand.NewPCG(uint64(phase), 1))
		f := beatFeatures{late: make([]float64, n), change2: make([]float64, n), bass: make([]float64, n), accent: make([]float64, n)}
		for k := range n {
			f.late[k], f.change2[k] = 0.1*r.Float64(), 0.1*r.Float64()
			if (k-phase)%2 == 0 {
				f.bass[k], f.accent[k] = 1, 1
			}
			// Section features: a level that steps every 8 bars.
			sec := (k - phase + 4) / 32 // beats before the first downbeat belong to section 0
			f.span = append(f.span, []float64{float64(6 * (sec % 2)), r.Float64()})
		}
		m, pos, _ := estimateMeter(f, false)
		if m != 4 {
			t.Fatalf("phase %d: %d beats per bar", phase, m)
		}
		wrong := 0
		for k, p := range pos[32:] { // from the first change on
			if (p == 1) != ((k+32-phase)%4 == 0) {
				wrong++
			}
		}
		if wrong > 0 {
			t.Errorf("phase %d: %d of %d beats in the wrong bar position", phase, wrong, n-32)
		}
	}
}

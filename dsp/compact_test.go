package dsp

import (
	"encoding/json"
	"math"
	"testing"
)

// TestHalf: rounding to nearest (ties to even) within 0.4 % over float32's
// range, exact for values with 8 significant bits, NaN read as 0, and JSON
// rows that are arrays of plain numbers re-reading within 0.4 %.
func TestHalf(t *testing.T) {
	rng := newRand(3)
	for range 100000 {
		v := float32(math.Exp(rng.NormFloat64()*20) * math.Copysign(1, rng.NormFloat64()))
		got := HalfOf(v).Float32()
		if rel := math.Abs(float64(got-v) / float64(v)); rel > 1.0/256 {
			t.Fatalf("%g → %g (%.4f %%)", v, got, 100*rel)
		}
	}
	for _, tc := range []struct{ in, want float32 }{
		{1, 1}, {-2.5, -2.5}, {0, 0}, {1 + 1.0/256, 1}, {1 + 3.0/256, 1 + 1.0/64}, {1 + 1.0/128, 1 + 1.0/128},
		{float32(math.NaN()), 0}, {float32(math.Inf(-1)), float32(math.Inf(-1))},
	} {
		if got := HalfOf(tc.in).Float32(); got != tc.want {
			t.Errorf("HalfOf(%g) = %g, want %g", tc.in, got, tc.want)
		}
	}
	var f SpectrumFrame
	vals := make([]float32, spectrumBands)
	for i := range vals {
		vals[i] = float32(math.Pow(10, float64(i)/4-6))
	}
	vals[3] = float32(math.Inf(1))
	halves(f[:], vals)
	b, err := json.Marshal([]SpectrumFrame{f})
	if err != nil {
		t.Fatal(err)
	}
	var back [][]float64
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 || len(back[0]) != spectrumBands {
		t.Fatalf("%s: %v", b, err)
	}
	for i, v := range back[0] {
		want := float64(vals[i])
		if i == 3 {
			want = math.MaxFloat32
		}
		if math.Abs(v-want)/want > 1.0/256 {
			t.Errorf("band %d: %g, want %g (%s)", i, v, want, b)
		}
	}
}

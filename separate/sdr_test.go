package separate

import (
	"math"
	"testing"
)

func TestSDR(t *testing.T) {
	ref := []float32{1, -1, 1, -1}
	for _, tc := range []struct {
		est  []float32
		want float64
	}{
		{[]float32{1, -1, 1, -1}, math.Inf(1)},
		{[]float32{0.5, -0.5, 0.5, -0.5}, 20 * math.Log10(2)},
		{[]float32{0, 0, 0, 0}, 0},
		{[]float32{1, -1}, 10 * math.Log10(2)}, // missing samples count as zeros
	} {
		if got := SDR(ref, tc.est); math.Abs(got-tc.want) > 1e-9 && got != tc.want {
			t.Errorf("SDR(%v, %v) = %v, want %v", ref, tc.est, got, tc.want)
		}
	}
	if got := SDR([]float32{0, 0}, []float32{0, 1}); !math.IsInf(got, -1) {
		t.Errorf("SDR of a silent reference = %v, want -Inf", got)
	}
}

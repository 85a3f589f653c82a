package dsp

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestLogs: logs gives math.Log's values to the bit, on values across the
// whole normal range, around the √2/2 split of the mantissa, at powers of
// two, and with a zero, a subnormal or an infinity among them (then every
// value goes through math.Log).
func TestLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x := make([]float64, 0, 1<<16)
	for range 1 << 15 {
		x = append(x, math.Ldexp(0.5+rng.Float64()/2, rng.IntN(2040)-1019))
	}
	for e := -1021; e < 1024; e += 7 {
		for _, m := range []float64{0.5, math.Sqrt2 / 2, math.Nextafter(math.Sqrt2/2, 0), math.Nextafter(math.Sqrt2/2, 1), 0.75, math.Nextafter(1, 0)} {
			x = append(x, math.Ldexp(m, e))
		}
	}
	x = append(x, 1, 2, 1e-10, 1e-10+1e-300, math.MaxFloat64, 0x1p-1022)
	check := func(name string, x []float64) {
		got := make([]float64, len(x))
		logs(got, x)
		for i, v := range x {
			if want := math.Log(v); math.Float64bits(got[i]) != math.Float64bits(want) {
				t.Fatalf("%s: Log(%v) = %v, math.Log %v", name, v, got[i], want)
			}
		}
	}
	check("normal", x)
	for _, odd := range []float64{0, 5e-324, math.Inf(1), -1} {
		y := append([]float64{odd}, x[:99]...)
		check("with "+fmtFloat(odd), y)
	}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

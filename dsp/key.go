package dsp

import (
	"math"
	"slices"
)

// Krumhansl–Kessler key profiles, tonic first.
var (
	majorProfile = [12]float64{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88}
	minorProfile = [12]float64{6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17}
)

// estimateKey correlates the mean chroma with the 24 rotated key profiles and
// returns the tonic (0 = C), "major" or "minor", and the Pearson correlation
// of the best key (clamped to 0..1) as confidence. A silent track has no key.
func estimateKey(mean [12]float64) (tonic int, mode string, conf float64) {
	var total float64
	for _, v := range mean {
		total += v
	}
	if !(total > 0) {
		return 0, "", 0
	}
	best := -2.0
	for t := range 12 {
		for _, p := range []struct {
			prof *[12]float64
			name string
		}{{&majorProfile, "major"}, {&minorProfile, "minor"}} {
			var rot [12]float64
			for i := range 12 {
				rot[(i+t)%12] = p.prof[i]
			}
			if r := pearson(mean[:], rot[:]); r > best {
				best, tonic, mode = r, t, p.name
			}
		}
	}
	return tonic, mode, math.Max(0, math.Min(1, best))
}

// pearson returns the correlation coefficient of a and b (0 when either is
// constant).
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// sortFloat64s sorts s ascending.
func sortFloat64s(s []float64) { slices.Sort(s) }

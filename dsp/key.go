package dsp

import "math"

// Albrecht–Shanahan key profiles (pitch-class distributions of a large
// corpus, 2013), tonic first. Against Krumhansl–Kessler's they weigh the
// tonic triad higher and the non-scale tones far lower, which separates a
// key from its dominant and its relative (BENCHMARKS.md, key on real
// arrangements).
var (
	majorProfile = [12]float64{0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081}
	minorProfile = [12]float64{0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052}
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

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

// keyFifthHarmonic is how much of each profile note also shows a fifth
// above it, relative to its own pitch class: its third harmonic, the one
// partial of a note outside its own pitch class below the fifth harmonic.
// The profiles count notes, the peak chroma hears partials; without this a
// key's dominant, with it counted in the chroma instead (every peak also
// crediting the note a fifth below), its subdominant wins too often. On the
// corpus dev set 0.20 read 23 of 24 keys, 0–0.15 22 (the misses on the
// dominant) and 0.25–0.30 22 (a miss on the subdominant) (BENCHMARKS.md,
// "Key on real arrangements").
const keyFifthHarmonic = 0.20

// heardMajor and heardMinor are the profiles as the peak chroma hears them:
// each note's pitch class plus keyFifthHarmonic of it a fifth above.
var heardMajor, heardMinor = withFifthHarmonic(majorProfile), withFifthHarmonic(minorProfile)

func withFifthHarmonic(p [12]float64) [12]float64 {
	var out [12]float64
	for i := range 12 {
		out[i] = p[i] + keyFifthHarmonic*p[(i+5)%12] // (i+5)%12 is i−7: the note a fifth below
	}
	return out
}

// estimateKey correlates the mean chroma with the 24 rotated heard key
// profiles (heardMajor, heardMinor) and returns the tonic (0 = C), "major"
// or "minor", and the Pearson correlation of the best key (clamped to 0..1)
// as confidence. A silent track has no key.
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
		}{{&heardMajor, "major"}, {&heardMinor, "minor"}} {
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

package dsp

import (
	"math"
	"slices"
)

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
// key's dominant wins too often, with it counted in the chroma instead
// (every peak also crediting the note a fifth below) its subdominant
// (BENCHMARKS.md, "3.1-native: harmonics in the profiles").
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

// The close of a piece (its final chord: what sounds after the last note
// onset) counts keyEndWeight times as much as the whole piece for the
// tonic (the whole piece alone decides the mode): music ends on its tonic
// chord far more often than on any other, and the whole-piece pitch
// distribution alone cannot always tell a key from the neighbour a fifth
// away or its relative when they share the chords played most (an i–iv
// loop reads as the key of iv). The close counts only if it holds for
// keyHeldSeconds up to the last frame with at least keyActiveShare of the
// median frame's tonal weight: a piece that fades out or is cut off
// mid-phrase has no close, and its key is the whole piece's.
const (
	keyEndWeight   = 1.0
	keyHeldSeconds = 1.0
	keyActiveShare = 0.1
)

// estimateKey returns the tonic (0 = C), "major" or "minor", and a
// confidence from the key chroma of the chroma frames (chroma.keys, one row
// every chromaEvery hops at rate) and the onset times: the key whose
// rotated heard profile (heardMajor, heardMinor) has the highest Pearson
// correlation with the mean of the sum-normalised frames, plus keyEndWeight
// times the close's (closingChroma) best correlation with either profile on
// the key's tonic when there is a close. The confidence is that combined
// correlation over its total weight, clamped to 0..1. A track without a
// tonal frame has no key.
func estimateKey(frames [][chromaClasses]float32, rate int, onsets []float64) (tonic int, mode string, conf float64) {
	var mean [chromaClasses]float64
	weight := make([]float64, len(frames))
	tonal := 0
	for i, f := range frames {
		for _, v := range f {
			weight[i] += float64(v)
		}
		if weight[i] > 0 {
			tonal++
			for j, v := range f {
				mean[j] += float64(v) / weight[i]
			}
		}
	}
	if tonal == 0 {
		return 0, "", 0
	}
	whole := keyCorrelations(mean)
	end, closed := closingChroma(frames, weight, rate, onsets)
	var close [2][12]float64
	ew := 0.0
	if closed {
		close, ew = keyCorrelations(end), keyEndWeight
	}
	best := math.Inf(-1)
	for t := range 12 {
		// The close names the tonic, not the mode: a minor piece may
		// end on the major tonic chord (a Picardy third).
		c := max(close[0][t], close[1][t])
		for m, name := range []string{"major", "minor"} {
			if r := (whole[m][t] + ew*c) / (1 + ew); r > best {
				best, tonic, mode = r, t, name
			}
		}
	}
	return tonic, mode, math.Max(0, math.Min(1, best))
}

// keyCorrelations returns the Pearson correlation of chroma with the heard
// major (index 0) and minor (1) profiles rotated to each tonic.
func keyCorrelations(chroma [chromaClasses]float64) [2][12]float64 {
	var out [2][12]float64
	for m, prof := range []*[12]float64{&heardMajor, &heardMinor} {
		for t := range 12 {
			var rot [12]float64
			for i := range 12 {
				rot[(i+t)%12] = prof[i]
			}
			out[m][t] = pearson(chroma[:], rot[:])
		}
	}
	return out
}

// closingChroma returns the key chroma of the close, normalised to sum 1:
// the frames whose window starts after the last onset, up to the last frame
// with at least keyActiveShare of the median tonal frame's weight, each
// counted by its tonal weight (the sum of its raw row). It reports false
// when there is no onset or the close is shorter than keyHeldSeconds.
func closingChroma(frames [][chromaClasses]float32, weight []float64, rate int, onsets []float64) ([chromaClasses]float64, bool) {
	var end [chromaClasses]float64
	if len(onsets) == 0 {
		return end, false
	}
	tonal := slices.DeleteFunc(slices.Clone(weight), func(w float64) bool { return w <= 0 })
	slices.Sort(tonal)
	floor := keyActiveShare * tonal[len(tonal)/2]
	last := len(weight) - 1
	for last >= 0 && weight[last] < floor {
		last--
	}
	// Frame j's window starts at j·chromaEvery·HopSize + FrameSize − chromaSize.
	step := float64(chromaEvery * HopSize)
	first := max(0, int(math.Ceil((onsets[len(onsets)-1]*float64(rate)-FrameSize+chromaSize)/step)))
	if float64(last+1-first)*step < keyHeldSeconds*float64(rate) {
		return end, false
	}
	var total float64
	for _, f := range frames[first : last+1] {
		for j, v := range f {
			end[j] += float64(v)
			total += float64(v)
		}
	}
	if !(total > 0) {
		return end, false
	}
	for j := range end {
		end[j] /= total
	}
	return end, true
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

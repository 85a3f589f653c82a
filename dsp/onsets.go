package dsp

import "math"

// Onset peak picking (librosa-style, in frames of the 512-sample hop at the
// file's rate; the durations are converted to frames).
const (
	onsetPreMaxSec  = 0.03
	onsetPostMaxSec = 0.0
	onsetPreAvgSec  = 0.10
	onsetPostAvgSec = 0.10
	onsetWaitSec    = 0.03
	onsetDelta      = 0.07 // on the envelope scaled to 0..1
)

// Transient types.
const (
	TransientKick    = "kick"
	TransientSnare   = "snare"
	TransientHat     = "hat"
	TransientGeneric = "generic"
)

// Transient is an onset with its strength (0..1, the normalised onset
// envelope) and a percussive class: kick, snare, hat or generic.
type Transient struct {
	Time      float64 `json:"time"`
	Intensity float32 `json:"intensity"`
	Type      string  `json:"type"`
}

// normalizeODF scales the onset envelope to 0..1 (min-max), in place.
func normalizeODF(odf []float32) {
	lo, s, flat := odfScale(odf)
	for i := range odf {
		if flat {
			odf[i] = 0
		} else {
			odf[i] = (odf[i] - lo) * s
		}
	}
}

// odfScale returns normalizeODF's mapping of x: v → (v−lo)·s, or v → 0 when
// flat (a constant or empty x).
func odfScale(x []float32) (lo, s float32, flat bool) {
	if len(x) == 0 {
		return 0, 0, true
	}
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo <= 1e-9 {
		return 0, 0, true
	}
	return lo, 1 / (hi - lo), false
}

// pickPeaks returns the frames of onset peaks of the 0..1 envelope: x[i] is
// the maximum of the pre-max window, exceeds the mean of the pre/post-average
// window by delta, and lies at least wait frames after the previous onset.
func pickPeaks(x []float32, fps float64) []int {
	fr := func(s float64) int { return int(math.Ceil(s * fps)) }
	preMax, postMax := fr(onsetPreMaxSec), fr(onsetPostMaxSec)
	preAvg, postAvg := fr(onsetPreAvgSec), fr(onsetPostAvgSec)
	wait := fr(onsetWaitSec)
	var peaks []int
	last := -wait - 1
	// Running sum for the average window.
	var sum float64
	lo, hi := 0, 0 // window [lo, hi)
	for i, v := range x {
		for hi < len(x) && hi <= i+postAvg {
			sum += float64(x[hi])
			hi++
		}
		for lo < i-preAvg {
			sum -= float64(x[lo])
			lo++
		}
		if i-last <= wait || v <= 0 {
			continue
		}
		isMax := true
		for j := max(0, i-preMax); j <= min(len(x)-1, i+postMax); j++ {
			if x[j] > v {
				isMax = false
				break
			}
		}
		if !isMax {
			continue
		}
		if float64(v) >= sum/float64(hi-lo)+onsetDelta {
			peaks = append(peaks, i)
			last = i
		}
	}
	return peaks
}

// classify labels a transient from the band energies of its frame relative
// to the frame before: the band whose energy rose most decides, noise-like
// mid rises are snares.
func classify(bassRise, midRise, trebleRise, flatness float64) string {
	total := bassRise + midRise + trebleRise
	switch {
	case total <= 0:
		return TransientGeneric
	case bassRise >= 0.5*total:
		return TransientKick
	case trebleRise >= 0.5*total:
		return TransientHat
	case flatness > 0.05 && midRise+trebleRise >= 0.6*total:
		return TransientSnare
	}
	return TransientGeneric
}

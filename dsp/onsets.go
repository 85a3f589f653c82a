package dsp

import (
	"math"
	"slices"
)

// Onset peak picking, on the onset envelope in dB (onsetEnvelope.frame):
// a peak is the maximum within ±onsetMaxSec, rises onsetDeltaDB above the
// median of the envelope within ±onsetMedianSec, and comes at least
// onsetWaitSec after the previous onset. The median follows the local
// density of the music (a busy mix raises it); the fixed delta is the
// absolute floor that a stationary signal never reaches: a steady tone
// has no rise at all, and the mean rise of noise over the many bands of
// the envelope fluctuates by under a decibel (see onsetEnvelope): 0.8 dB
// let through 3 onsets in 60 s of white noise and 7 in 10 minutes of brown
// noise, 1 dB none and 1, for 0.006 of onset F on dev and dev2
// (BENCHMARKS.md "Onset events").
const (
	onsetMaxSec    = 0.03
	onsetMedianSec = 0.10
	onsetWaitSec   = 0.03
	onsetDeltaDB   = 1.0
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

// pickPeaks returns the frames of onset peaks of the envelope x (dB).
func pickPeaks(x []float32, fps float64) []int {
	fr := func(s float64) int { return int(math.Ceil(s * fps)) }
	win, med, wait := fr(onsetMaxSec), fr(onsetMedianSec), fr(onsetWaitSec)
	var peaks []int
	last := -wait - 1
	buf := make([]float32, 0, 2*med+1)
	for i, v := range x {
		if i-last <= wait || v < onsetDeltaDB {
			continue
		}
		isMax := true
		for j := max(0, i-win); j <= min(len(x)-1, i+win); j++ {
			if x[j] > v {
				isMax = false
				break
			}
		}
		if !isMax {
			continue
		}
		buf = append(buf[:0], x[max(0, i-med):min(len(x), i+med+1)]...)
		slices.Sort(buf)
		if v >= buf[len(buf)/2]+onsetDeltaDB {
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

package dsp

import "math"

// Onset-event filterbank: bands eventPerOctave to the octave, one FFT bin
// wide wherever a bin is wider than that (below about 3 kHz at 44.1 kHz).
// Two notes that follow each other within a few hops (a flam, a chord
// spread, a bass note just after the kick) mostly sit in different bins: in
// these narrow bands the later note still rises over the earlier one's
// level, where a band a sixth of an octave wide already holds both. The
// envelope is the mean rise over all bands, and a stationary noise stays
// steady in it for the number of bands averaged (185 at 44.1 kHz), not for
// the width of each: a one-bin band of noise jumps by several dB from frame
// to frame, but the mean rise over all of them fluctuates less than over
// novelty's 28 wider bands, so the fixed delta of the peak picker holds
// noise off as well (white and pink noise: 3 and 0 onsets in 60 s, against
// 6 and 9 on novelty's envelope).
const eventPerOctave = 48

// onsetEnvelope computes the onset envelope that onset events are picked
// from: as novelty's all (SuperFlux-style, the rise of each band level in
// dB over the maximum of the three neighbouring bands of the previous
// frame, mean over bands), on the finer bands above. The beat tracker and
// the sections keep novelty's envelope: their tuning rests on its scale,
// and a tracking envelope wants the loud hits, not each separate note.
type onsetEnvelope struct {
	edges     []int
	narrow    int // bands [0, narrow) are one bin each
	scale     float64
	floor     float64   // odfFloorDB as a power
	cur, prev []float64 // band powers, floored at odfFloorDB
	started   bool
}

func newOnsetEnvelope(rate int) *onsetEnvelope {
	e := &onsetEnvelope{edges: logBands(rate, eventPerOctave, 1)}
	e.scale = 1.0 / (FrameSize / 4 * FrameSize / 4) // full-scale sine = 0 dB
	e.floor = math.Pow(10, odfFloorDB/10)
	e.cur, e.prev = make([]float64, len(e.edges)-1), make([]float64, len(e.edges)-1)
	for e.narrow < len(e.cur) && e.edges[e.narrow+1]-e.edges[e.narrow] == 1 {
		e.narrow++
	}
	return e
}

// frame returns the onset envelope (dB) of the frame with power spectrum
// pow. Levels are compared as powers (the maximum of powers is the power
// of the maximum level), and the sum of the rises in dB is the logarithm of
// the product of the rising bands' power ratios.
func (e *onsetEnvelope) frame(pow []float64) float32 {
	floor := e.floor
	for b, p := range pow[e.edges[0] : e.edges[0]+e.narrow] {
		e.cur[b] = max(p*e.scale, floor)
	}
	for b := e.narrow; b < len(e.cur); b++ {
		e.cur[b] = max(sum4(pow[e.edges[b]:e.edges[b+1]])*e.scale, floor)
	}
	var sum float64 // log10 of the product of the rising bands' ratios
	if e.started {
		// One logarithm per frame: the product is renormalised into
		// mantissa and binary exponent before it could overflow (a ratio
		// of band powers of audio stays far below 1e50).
		m, exp := 1.0, 0
		for b, c := range e.cur {
			if m *= max(1, c/neighbourMax(e.prev, b)); m > 1e250 {
				f, x := math.Frexp(m)
				m, exp = f, exp+x
			}
		}
		sum = math.Log10(m) + float64(exp)*math.Log10(2)
	}
	e.cur, e.prev = e.prev, e.cur
	e.started = true
	return float32(10 * sum / float64(len(e.cur)))
}

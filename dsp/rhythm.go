package dsp

import "math"

// trackFluxWeight is the weight of the spectral flux (linear magnitudes,
// scaled to the same mean) in the beat tracker's envelope against the
// band-level (dB) onset envelopes: the beat sits on the loud hits (kick,
// snare), which a dB rise under-weighs when a softer note just before them
// (an anticipation, a pushed chord) has already raised the level.
const trackFluxWeight = 4

// compoundDupleMaxBPM: a compound beat this slow or slower may group in bars
// of two (6/8 felt at the dotted quarter, bars of 1.3 s or more); a faster
// one (a shuffle, swing) groups in fours.
const compoundDupleMaxBPM = 90

// eventTime is the time of frame i's events: the frame centre.
func (x *extractor) eventTime(i int) float64 {
	return float64(i*HopSize+FrameSize/2) / float64(x.f.SampleRate)
}

// rhythm sets the onsets, transients, beats and tempo of a.
func (x *extractor) rhythm(a *Analysis, s *Summary) {
	odf := x.odf
	// Onset events come from their own, finer envelope (onsetEnvelope);
	// tracking follows novelty's.
	peaks := pickPeaks(x.events, x.fps)
	var top float32
	for _, v := range x.events {
		top = max(top, v)
	}
	a.Onsets = make([]float64, 0, len(peaks))
	a.Transients = make([]Transient, 0, len(peaks))
	for _, i := range peaks {
		t := x.eventTime(i)
		a.Onsets = append(a.Onsets, t)
		rise := func(s int) float64 {
			v := float64(x.series[s][i])
			if i > 0 {
				v -= float64(x.series[s][i-1])
			}
			return max(0, v)
		}
		a.Transients = append(a.Transients, Transient{Time: t, Intensity: x.events[i] / top,
			Type: classify(rise(sBass), rise(sMid), rise(sTreble), float64(x.series[sFlatness][i]))})
	}
	// No rhythm to follow without onsets (a held tone, a pad, noise).
	if len(peaks) < minOnsets || float64(len(peaks)) < minOnsetsPerMinute*float64(len(odf))/x.fps/60 {
		return
	}
	// Periodicity and beats follow the low and mid bands (kick, bass,
	// snare, chords), where the beat lives; hats and cymbals subdivide it.
	n := len(odf)
	env := make([]float32, n)
	for i := range env {
		env[i] = x.lowODF[i] + x.midODF[i]
	}
	scratch := make([]float64, n)
	P, clarity, compound, group := estimatePeriod(env, x.midODF[:n], odf[:n], x.fps, scratch)
	if P <= 0 {
		return
	}
	periods, hop := localPeriods(env, P, x.fps, group)
	period := func(i int) float64 {
		if len(periods) == 0 {
			return P
		}
		f := float64(i) / float64(hop)
		k := min(int(f), len(periods)-1)
		if k+1 >= len(periods) {
			return periods[k]
		}
		return periods[k] + (f-float64(k))*(periods[k+1]-periods[k])
	}
	// The tracker's envelope: the band-level envelopes plus the
	// level-weighted flux.
	track := make([]float32, n)
	wf := trackFluxWeight * (meanOf(env) + meanOf(odf)) / meanOf(x.series[sFlux][:n])
	for i := range track {
		track[i] = env[i] + odf[i] + wf*x.series[sFlux][i]
	}
	local := make([]float32, n)
	beats := trackBeats(track, period, local, scratch)
	if len(beats) < 2 {
		return
	}
	onset := make([]bool, n)
	for _, p := range peaks {
		for j := max(0, p-2); j <= min(n-1, p+2); j++ {
			onset[j] = true
		}
	}
	aligned := 0
	for _, b := range beats {
		a.Beats = append(a.Beats, x.eventTime(b))
		if onset[b] {
			aligned++
		}
	}
	s.BPM = math.Round(gridBPM(a.Beats)*100) / 100
	// Bars.
	m, positions, mconf := estimateMeter(newBeatFeatures(beats, x.chrs, x.chroma.upper, x.lowODF, env, x.barFeatures(beats, n)), compound && s.BPM <= compoundDupleMaxBPM)
	s.TimeSignature = TimeSignature{BeatsPerBar: m, Confidence: mconf}
	if positions != nil {
		a.BeatPositions = positions
	}
	var bars []int
	for k, b := range beats {
		if positions[k] == 1 {
			a.Downbeats = append(a.Downbeats, a.Beats[k])
			bars = append(bars, b)
		}
	}
	if sections := x.sections(bars, s.Duration); sections != nil {
		a.Sections = sections // empty, never null, in the document
	}
	s.BPMConfidence = math.Round(clarity*float64(aligned)/float64(len(beats))*1000) / 1000
}

// meanOf returns the mean of v, or 1 when it is not positive.
func meanOf(v []float32) float32 {
	var s float64
	for _, e := range v {
		s += float64(e)
	}
	if s <= 0 {
		return 1
	}
	return float32(s / float64(len(v)))
}

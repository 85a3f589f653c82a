package dsp

import (
	"math"
	"slices"
)

// Section labels.
const (
	SectionIntro  = "intro"
	SectionVerse  = "verse"
	SectionChorus = "chorus"
	SectionBreak  = "break"
	SectionDrop   = "drop"
	SectionOutro  = "outro"
)

// Section segmentation: bars are described by their band levels,
// loudness, onset density and chroma; a boundary is a bar where the mean of
// the bars after it differs from the mean of those before by at least
// sectionMinChange (RMS over the features, in dB-like units: a part
// entering or leaving moves a band level by several dB) over sectionWindow
// bars and over sectionLongWindow bars both, and is the largest such change
// within ±sectionMinBars bars. Steady passages change by well under that,
// so they stay whole; a figure that repeats every few bars (a bass line
// loud in two bars and soft in the next two) changes over the short window
// but not over the long one.
const (
	sectionWindow     = 2
	sectionLongWindow = 4
	sectionMinBars    = 2
	sectionMinChange  = 1.2
	sectionMoveRatio  = 2
	chromaWeight      = 6 // a chord change moves a chroma bin by ~0.3 → ~2 dB
	onsetWeight       = 3 // dB of mean rise → dB of level
)

// Section is a stretch of the track between two boundaries (the first
// starts at 0, the last ends at the duration; inner boundaries are
// downbeats). LoudnessLUFS is its integrated loudness (EBU R128 gating),
// Energy its mean RMS over the loudest section's (0..1), Label one of intro,
// verse, chorus, break, drop, outro, from its energy and position.
type Section struct {
	Start        float64 `json:"start"`
	End          float64 `json:"end"`
	LoudnessLUFS float64 `json:"loudness_lufs"`
	Energy       float64 `json:"energy"`
	Label        string  `json:"label"`
}

// barFeatures returns one feature vector per bar (downbeat frames bars,
// the last bar running to frame n).
func (x *extractor) barFeatures(bars []int, n int) [][]float64 {
	db := func(v float64) float64 { return 20 * math.Log10(max(v, 1e-4)) }
	out := make([][]float64, len(bars))
	for i, b := range bars {
		end := n
		if i+1 < len(bars) {
			end = bars[i+1]
		} else if i > 0 {
			end = min(n, b+b-bars[i-1]) // the last bar, not the silence after it
		}
		if end <= b {
			end = min(n, b+1)
		}
		var bass, mid, treble, loud, lo, md, all float64
		for j := b; j < end; j++ {
			bass += float64(x.series[sBass][j])
			mid += float64(x.series[sMid][j])
			treble += float64(x.series[sTreble][j])
			loud += max(float64(x.series[sLoudness][j]), LoudnessFloor)
			lo += float64(x.lowODF[j])
			md += float64(x.midODF[j])
			all += float64(x.odf[j])
		}
		k := float64(end - b)
		f := []float64{db(bass / k), db(mid / k), db(treble / k), loud / k,
			onsetWeight * lo / k, onsetWeight * md / k, onsetWeight * all / k}
		var c [chromaClasses]float64
		for j := b / chromaEvery; j <= (end-1)/chromaEvery && j < len(x.chrs); j++ {
			for p, v := range x.chrs[j] {
				c[p] += float64(v)
			}
		}
		var sum float64
		for _, v := range c {
			sum += v
		}
		for _, v := range c {
			if sum > 0 {
				v /= sum
			}
			f = append(f, chromaWeight*v)
		}
		out[i] = f
	}
	return out
}

// sectionBounds returns the indices of the bars that start a new section
// (the first bar is not included).
func sectionBounds(feat [][]float64) []int {
	nb := len(feat)
	if nb < 2*sectionMinBars {
		return nil
	}
	nov := make([]float64, nb)
	for b := sectionMinBars; b <= nb-sectionMinBars && b < nb; b++ {
		nov[b] = min(barChange(feat, b, sectionWindow), barChange(feat, b, sectionLongWindow))
	}
	// A boundary needs more than sectionMinBars bars after it: the bar
	// grid runs a bar or two past the last note (its ring-out), and the
	// change into that tail is where the last section ends, not where a
	// new one starts.
	var out []int
	for b := sectionMinBars; b < nb-sectionMinBars; b++ {
		if nov[b] < sectionMinChange {
			continue
		}
		peak := true
		for j := max(0, b-sectionMinBars); j <= min(nb-1, b+sectionMinBars); j++ {
			if nov[j] > nov[b] || (nov[j] == nov[b] && j < b) {
				peak = false
				break
			}
		}
		if peak {
			out = append(out, moveToBarChange(feat, b, out))
		}
	}
	return out
}

// moveToBarChange returns the boundary bar b, or its neighbour when the
// change from the bar before to the bar itself is at least
// sectionMoveRatio times larger there (and the neighbour is still more
// than sectionMinBars bars from the end and at least sectionMinBars from
// the previous boundary in prev). The multi-bar windows place a boundary
// only to within a bar when another one is near (a 2-bar break between
// two sections), and the bar where the parts change is where that single
// bar-to-bar change is largest.
func moveToBarChange(feat [][]float64, b int, prev []int) int {
	best, top := b, barChange(feat, b, 1)*sectionMoveRatio
	for _, j := range []int{b - 1, b + 1} {
		if j < sectionMinBars || j >= len(feat)-sectionMinBars || (len(prev) > 0 && j-prev[len(prev)-1] < sectionMinBars) {
			continue
		}
		if c := barChange(feat, j, 1); c >= top {
			best, top = j, c
		}
	}
	return best
}

// barChange returns the RMS over the features of the difference between
// the mean of the w bars before bar b and that of the w bars from it
// (fewer at the ends of the track).
func barChange(feat [][]float64, b, w int) float64 {
	lo, hi := max(0, b-w), min(len(feat), b+w)
	var d float64
	for k := range feat[0] {
		var l, r float64
		for i := lo; i < b; i++ {
			l += feat[i][k]
		}
		for i := b; i < hi; i++ {
			r += feat[i][k]
		}
		diff := l/float64(b-lo) - r/float64(hi-b)
		d += diff * diff
	}
	return math.Sqrt(d / float64(len(feat[0])))
}

// sections segments the track at the downbeat frames bars and labels the
// sections; duration is the track length in seconds.
func (x *extractor) sections(bars []int, duration float64) []Section {
	n := len(x.odf)
	if len(bars) == 0 || n == 0 {
		return nil
	}
	bounds := sectionBounds(x.barFeatures(bars, n))
	starts := []float64{0}
	frames := []int{0}
	for _, b := range bounds {
		starts = append(starts, x.eventTime(bars[b]))
		frames = append(frames, bars[b])
	}
	out := make([]Section, len(starts))
	var top float64
	for i := range out {
		end, fend := duration, n
		if i+1 < len(starts) {
			end, fend = starts[i+1], frames[i+1]
		}
		var e float64
		for _, v := range x.series[sRMS][frames[i]:fend] {
			e += float64(v)
		}
		e /= float64(max(1, fend-frames[i]))
		out[i] = Section{Start: starts[i], End: end, LoudnessLUFS: math.Round(x.loud.integratedSpan(starts[i], end)*100) / 100, Energy: e}
		top = max(top, e)
	}
	for i := range out {
		if top > 0 {
			out[i].Energy = math.Round(out[i].Energy/top*1000) / 1000
		}
	}
	labelSections(out)
	return out
}

// labelSections names sections by relative energy and position: the
// loudest tier (≥ 0.8 of the loudest) is chorus, or drop when it enters
// from a quiet section (≤ 0.5); a quiet section (≤ 0.6) is intro at the
// start, outro at the end, break between; the rest are verses.
func labelSections(s []Section) {
	for i := range s {
		e := s[i].Energy
		switch {
		case e >= 0.8 && i > 0 && s[i-1].Energy <= 0.5:
			s[i].Label = SectionDrop
		case e >= 0.8 && len(s) > 1:
			s[i].Label = SectionChorus
		case e <= 0.6 && i == 0 && len(s) > 1:
			s[i].Label = SectionIntro
		case e <= 0.6 && i == len(s)-1 && len(s) > 1:
			s[i].Label = SectionOutro
		case e <= 0.6 && len(s) > 2:
			s[i].Label = SectionBreak
		default:
			s[i].Label = SectionVerse
		}
	}
	// A first or last section quieter than its neighbour is intro/outro
	// whatever its absolute level.
	if len(s) > 1 && s[0].Label == SectionVerse && s[0].Energy < s[1].Energy {
		s[0].Label = SectionIntro
	}
	if l := len(s) - 1; l > 0 && slices.Contains([]string{SectionVerse, SectionBreak}, s[l].Label) && s[l].Energy < s[l-1].Energy {
		s[l].Label = SectionOutro
	}
}

package dsp

import (
	"math"
	"slices"
)

// Tempo search: periodicities from tempoMinBPM to tempoMaxBPM are measured;
// the beat is chosen among the metrical levels of the strongest one that lie
// within the range a listener taps, beatMinBPM to beatMaxBPM.
const (
	tempoMinBPM     = 30
	tempoMaxBPM     = 300
	beatMinBPM      = 55
	beatMaxBPM      = 185
	tempoPriorBPM   = 110
	tempoPriorSigma = 1.0 // octaves
	// The level a listener taps: the metrical-level step weighs the two
	// levels by a log-normal around tapPriorBPM. It is wide: a tilt, not a
	// window, so a fast kick-and-snare beat (ska, punk, metal at 150–180)
	// gives way to its double as readily as a slow one keeps its quavers
	// (chosen on the corpus dev set, BENCHMARKS.md "Tempo level (3.1-native)").
	tapPriorBPM     = 120
	tapPriorSigma   = 1.3 // octaves
	tempoACFSeconds = 4   // lags considered by the comb
	tempoLagStep    = 0.1 // frames
	// beatLevelRatio: a level is subdivided into the next faster one when
	// the positions between its beats carry at least this share of the
	// accent (low and mid bands) its beats carry, times the prior's ratio
	// of the two levels: then those positions are beats too (a
	// kick-and-snare pattern read at half speed has them; a slow beat under
	// quaver hats has not).
	beatLevelRatio = 0.45
	// tatumThirds: a strongest periodicity whose thirds carry this share of
	// its beats' accent (and more than its midpoint) groups three equal
	// pulses of an even stream (quavers chugging under a fast beat): the
	// beat is taken from the duple grouping of that pulse instead.
	tatumThirds = 0.7
	// barThirds: a level with three pulses to the beat, slow enough that
	// the pulses are a beat in range too (a fast waltz read one beat per
	// bar, or 6/8 at its dotted quarter), is a bar of three when, in the
	// mid band (chords and snare), its thirds carry this share of the
	// accent that every other of its beats carries. A waltz's chords on
	// two and three are struck like the next bar's; 6/8's backbeat (the
	// snare on its second dotted quarter) stands well above the quavers
	// between (BENCHMARKS.md "Tempo level and bars (3.3-native)").
	barThirds = 0.75
	// barOfThreeACF: a beat groups in bars of three (see estimatePeriod's
	// group) when the low and mid bands' autocorrelation three beats apart
	// is this many times the larger of two and four beats apart: 1.63–3.9
	// on every 3/4 track of dev, dev2, holdout and holdout2, at most 1.17
	// on the 4/4, 2/4 and 6/8 ones (BENCHMARKS.md "Tempo level and bars (3.3-native)").
	barOfThreeACF = 1.4
	// minOnsetsPerMinute: fewer detected onsets than this is no rhythm to
	// follow (a held tone, a pad, noise): no tempo, no beats. Nor are fewer
	// than minOnsets in all, however short the track (two stray onsets in
	// 8 s of pink noise gave it a tempo).
	minOnsetsPerMinute = 12
	minOnsets          = 8
)

// autocorr returns the autocorrelation of the mean-removed x for lags
// 0..maxLag; y (at least len(x)) is scratch.
func autocorr(x []float32, maxLag int, y []float64) []float64 {
	n := len(x)
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(max(n, 1))
	y = y[:n]
	for i, v := range x {
		y[i] = float64(v) - mean
	}
	ac := make([]float64, maxLag+1)
	for l := 0; l <= maxLag && l < n; l++ {
		var s float64
		a, b := y[:n-l], y[l:]
		for i := range a {
			s += a[i] * b[i]
		}
		ac[l] = s
	}
	return ac
}

// comb is the periodicity salience of an envelope: the mean of its
// autocorrelation at the multiples of a lag within tempoACFSeconds.
type comb struct {
	ac     []float64
	maxLag int
}

// at returns the autocorrelation at lag x, interpolated linearly.
func (c comb) at(x float64) float64 {
	i := int(x)
	if i+1 >= len(c.ac) {
		return c.ac[len(c.ac)-1]
	}
	f := x - float64(i)
	return c.ac[i]*(1-f) + c.ac[i+1]*f
}

// salience returns the comb score of lag L (frames).
func (c comb) salience(L float64) float64 {
	n := int(float64(c.maxLag) / L)
	if n < 1 {
		return math.Inf(-1)
	}
	var s float64
	for k := 1; k <= n; k++ {
		s += c.at(float64(k) * L)
	}
	return s / float64(n)
}

// best returns the lag of highest salience within [lo, hi] frames, weighted
// by w(lag).
func (c comb) best(lo, hi float64, w func(float64) float64) float64 {
	bestL, bestS := 0.0, math.Inf(-1)
	for L := lo; L <= hi; L += tempoLagStep {
		if s := c.salience(L) * w(L); s > bestS {
			bestS, bestL = s, L
		}
	}
	return bestL
}

// estimatePeriod returns the beat period in frames (0 when there is no
// periodicity), the normalised autocorrelation at it, whether the beat
// divides in three rather than two (compound meter, or a shuffle), and the
// beats a bar was heard to group: 3 when the beat was found as the third of
// a slower level (a waltz's bar) or recurs most strongly three beats apart
// (barOfThreeACF), 2 otherwise. env is the onset
// envelope of the low and mid bands (kick, bass, snare, chords: where the
// beat lives, while hats and cymbals subdivide it); scratch (at least
// len(env)) is work space. full is the whole spectrum's onset envelope
// (hats, shakers and cowbell too), heard only below the strongest
// periodicity; mid is the mid band's alone (chords and snare), which
// tells a bar of three from a compound beat (see barThirds).
//
// The strongest periodicity (comb salience with a broad log-normal prior
// around tempoPriorBPM, a tie-breaker only) fixes the metrical grid (if it
// is three equal pulses, see tatumThirds, two of them do); its
// levels ×1/3 … ×2 within beatMinBPM–beatMaxBPM are the candidates. Starting
// from the slowest, a level gives way to its half (or third) while the
// positions between its beats carry beatLevelRatio of its beats' accent
// (in env, or, for a level slower than the strongest periodicity, in full),
// or, divided in three, is a bar by barThirds.
func estimatePeriod(env, mid, full []float32, fps float64, scratch []float64) (period, clarity float64, compound bool, group int) {
	minLag := 60 * fps / tempoMaxBPM
	if len(env) < int(4*minLag) {
		return 0, 0, false, 2
	}
	c := comb{ac: autocorr(env, int(tempoACFSeconds*fps)+2, scratch), maxLag: int(tempoACFSeconds * fps)}
	if c.ac[0] <= 0 {
		return 0, 0, false, 2
	}
	logNormal := func(L, centre, sigma float64) float64 {
		oct := math.Log2(60 * fps / L / centre)
		return math.Exp(-0.5 * oct * oct / (sigma * sigma))
	}
	prior := func(L float64) float64 { return logNormal(L, tempoPriorBPM, tempoPriorSigma) }
	tap := func(L float64) float64 { return logNormal(L, tapPriorBPM, tapPriorSigma) }
	p0 := c.best(minLag, 60*fps/tempoMinBPM, prior)
	if p0 == 0 {
		return 0, 0, false, 2
	}
	lo, hi := 60*fps/beatMaxBPM, 60*fps/beatMinBPM
	refine := func(L float64) float64 {
		return c.best(L*0.97, L*1.03, func(float64) float64 { return 1 })
	}
	// Three equal pulses (metal's quavers read as a 97 BPM dotted
	// quarter under its 146 BPM beat): their duple grouping instead.
	if on, half, third := gridAccents(env, refine(p0)); third >= tatumThirds*on && third > half {
		p0 *= 2.0 / 3
	}
	// The slowest candidate level within the tapping range. A strongest
	// periodicity slower than any beat is a bar: of three beats (a waltz)
	// when its thirds carry more accent than its midpoint.
	levels := []float64{6, 4, 3, 2, 1, 0.5, 1.0 / 3}
	if p0 > hi {
		if _, half, third := gridAccents(env, p0); third > half {
			levels = []float64{1.0 / 3, 0.5}
		}
	}
	P, group := 0.0, 2
	for _, m := range levels {
		if L := p0 * m; L >= lo && L <= hi {
			P = refine(L)
			if m == 1.0/3 {
				group = 3
			}
			break
		}
	}
	if P == 0 {
		P = math.Min(math.Max(p0, lo), hi)
	}
	for {
		on, half, third := gridAccents(env, P)
		compound = third > half
		if on <= 0 {
			break
		}
		// Below the strongest periodicity, the whole spectrum testifies
		// too: a pulse kept by cowbell, guiro or shaker over a bass on
		// one and three (latin at 120 read as 60) is the beat the low and
		// mid bands already found strongest. A level the strongest
		// periodicity itself chose (a ballad under quaver hats) keeps to
		// the low and mid bands.
		if P > p0*1.03 {
			if fo, fh, ft := gridAccents(full, P); fo > 0 {
				half, third = max(half, on*fh/fo), max(third, on*ft/fo)
			}
		}
		// The prior tilts the ratio: a slow level gives way more easily
		// to a faster one nearer the tempi people tap.
		need := func(k float64) float64 { return beatLevelRatio * on * tap(P) / tap(P/k) }
		switch {
		case half >= need(2) && P/2 >= lo:
			P = refine(P / 2)
			continue
		case P/3 >= lo && (third >= need(3) || compound && barOfThree(mid, P)):
			P, group = refine(P/3), 3
			continue
		}
		break
	}
	// A beat found otherwise may still group in threes: a waltz whose
	// sparse passages mark only the bar.
	if a3, a24 := c.at(3*P), max(c.at(2*P), c.at(4*P)); group == 2 && 4*P <= float64(c.maxLag) && a3 > 0 && a3 > barOfThreeACF*a24 {
		group = 3
	}
	return P, math.Max(0, math.Min(1, c.at(P)/c.ac[0])), compound, group
}

// barOfThree reports whether, in the mid-band envelope, the thirds between
// the beats of period P carry barThirds of the accent on every other beat.
func barOfThree(mid []float32, P float64) bool {
	on, _, third := gridAccents(mid, P)
	on2, half2, _ := gridAccents(mid, 2*P)
	return on > 0 && on2 > 0 && third/on >= barThirds*half2/on2
}

// gridBeats is the span of gridAccents' windows, in beats: short enough
// that a period a little off (or a drifting tempo) stays within a frame.
const gridBeats = 8

// gridAccents places a grid of period P (frames) on the accent envelope,
// window by window (gridBeats beats each, at the phase that collects the
// most accent there), and returns the mean accent on its beats, at the
// midpoints between them and at the thirds between them (each the maximum
// within ±2 frames).
func gridAccents(acc []float32, P float64) (on, half, third float64) {
	n := len(acc)
	at := func(x float64) float64 {
		i := int(math.Round(x))
		v := float32(0)
		for j := max(0, i-2); j <= min(n-1, i+2); j++ {
			v = max(v, acc[j])
		}
		return float64(v)
	}
	win := P * gridBeats
	var k int
	for start := 0.0; start+win <= float64(n); start += win {
		sum := func(ph float64) float64 {
			var s float64
			for b := range gridBeats {
				s += at(start + ph + float64(b)*P)
			}
			return s
		}
		bestS, best := -1.0, 0.0
		for ph := 0.0; ph < P; ph++ {
			if s := sum(ph); s > bestS {
				bestS, best = s, ph
			}
		}
		on += bestS
		half += sum(best + P/2)
		third += (sum(best+P/3) + sum(best+2*P/3)) / 2
		k += gridBeats
	}
	if k == 0 {
		return 0, 0, 0
	}
	return on / float64(k), half / float64(k), third / float64(k)
}

// bpmSpan is the number of beat intervals each of gridBPM's fits spans.
const bpmSpan = 8

// bpmBand is the half-width (relative) of the tempo band gridBPM takes as
// one tempo: wider than a live drift (±0.6 %) and a fit's quantisation,
// narrower than any tempo step a listener hears as a change.
const bpmBand = 0.02

// gridBPM returns the tempo of a beat grid, the one it keeps for longest.
// Every run of bpmSpan+1 consecutive beats (fewer when there are fewer
// beats) gives a beat interval, the least-squares slope of beat time
// against beat number: a fit over a run cancels most of the frame
// quantisation of each beat time (11.6 ms, 2 % of a beat at 100 BPM), which
// the span from a run's first beat to its last only divides by bpmSpan.
// Of the bands of run slopes within bpmBand of each other, the two holding
// the most runs (and not overlapping) are candidates; the one whose runs
// cover the most of the grid's time is the prevailing tempo, and the median
// of its slopes is the answer. So a track that steps from one tempo to
// another reports the one it plays longer (a median over all runs lands
// between the two when they are near equal, and which side it falls on
// changed with the upload format), a beat the tracker added or skipped in
// one part costs that part only the time it spans, and a steady or drifting
// grid gets the median of all its runs. 0 for fewer than two beats.
func gridBPM(times []float64) float64 {
	if len(times) < 2 {
		return 0
	}
	span := min(bpmSpan, len(times)-1)
	// Slope of t against k = 0..span: Σ(k−k̄)·t / Σ(k−k̄)².
	kbar := float64(span) / 2
	var den float64
	for k := range span + 1 {
		den += (float64(k) - kbar) * (float64(k) - kbar)
	}
	runs := make([]float64, len(times)-span) // in beat order; run i spans intervals i … i+span−1
	for i := range runs {
		var num float64
		for k, t := range times[i : i+span+1] {
			num += (float64(k) - kbar) * t
		}
		runs[i] = num / den
	}
	sorted := slices.DeleteFunc(slices.Clone(runs), func(v float64) bool { return !(v > 0) })
	if len(sorted) == 0 {
		return 0
	}
	slices.Sort(sorted)
	first := heaviestBand(sorted, math.Inf(1), math.Inf(-1))
	best := first
	if second := heaviestBand(sorted, sorted[first[0]], sorted[first[1]]); second[1] >= 0 &&
		bandTime(times, runs, span, sorted, second) > bandTime(times, runs, span, sorted, first) {
		best = second
	}
	return 60 / medianSorted(sorted[best[0]:best[1]+1])
}

// heaviestBand returns the index range [lo, hi] of the sorted slopes whose
// values lie within a band of relative width ±bpmBand and which holds the
// most time (slopes summed), leaving out every band that overlaps the
// values from xlo to xhi (none when xlo > xhi); hi is −1 when no band is
// left.
func heaviestBand(sorted []float64, xlo, xhi float64) [2]int {
	best, bestT := [2]int{0, -1}, -1.0
	lo, sum := 0, 0.0
	for hi, v := range sorted {
		sum += v
		for sorted[lo] < v/(1+2*bpmBand) {
			sum -= sorted[lo]
			lo++
		}
		if v >= xlo && sorted[lo] <= xhi {
			continue
		}
		if sum > bestT {
			best, bestT = [2]int{lo, hi}, sum
		}
	}
	return best
}

// bpmIntervalTol is how far (relative) a single beat interval may lie from
// a band's tempo and still count as played at it: more than a frame's
// quantisation and a player's timing at 180 BPM, less than a tempo step.
const bpmIntervalTol = 0.08

// bandTime returns the time of the beat intervals that lie within a run
// (of span intervals) whose slope is in the band sorted[b[0]] … sorted[b[1]]
// and are themselves within bpmIntervalTol of the band's median (a run that
// straddles a tempo step counts only its intervals at the band's tempo).
func bandTime(times, runs []float64, span int, sorted []float64, b [2]int) float64 {
	lo, hi := sorted[b[0]], sorted[b[1]]
	m := medianSorted(sorted[b[0] : b[1]+1])
	var t float64
	next := 0 // first interval not yet counted
	for i, v := range runs {
		if v < lo || v > hi {
			continue
		}
		for j := max(i, next); j < i+span; j++ {
			if d := times[j+1] - times[j]; math.Abs(d/m-1) <= bpmIntervalTol {
				t += d
			}
		}
		next = max(next, i+span)
	}
	return t
}

// median returns the median of v (v is not modified).
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	slices.Sort(s)
	return medianSorted(s)
}

// medianSorted returns the median of the sorted, non-empty s.
func medianSorted(s []float64) float64 {
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

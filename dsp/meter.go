package dsp

import "math"

// TimeSignature is the meter of the beat grid: beats per bar and a 0..1
// confidence (0 when there are no beats).
type TimeSignature struct {
	BeatsPerBar int     `json:"beats_per_bar"`
	Confidence  float64 `json:"confidence"`
}

// beatFeatures are the per-beat accents the bar is read from.
type beatFeatures struct {
	// late and change2 are each the mean of the change in the whole chroma
	// and in the chroma above the bass register: a walking bass changes
	// pitch on every beat, the chords above it on the bar line.
	late    []float64   // harmonic change into the beat: 1 − cosine of the chroma of its second half against the last beat's
	change2 []float64   // harmonic change between the two beats before and the two from it
	bass    []float64   // low-band onset strength at the beat
	accent  []float64   // low+mid onset strength at the beat
	span    [][]float64 // the section features of each beat's span (barFeatures over the beats)
}

// newBeatFeatures measures each beat: the harmonic change into it in chroma
// and in upper, the chroma above the bass register (harmonicChange), the
// onset envelopes within ±2 frames of it, and span, the section features
// of each beat's span.
func newBeatFeatures(beats []int, chroma, upper [][chromaClasses]float32, low, env []float32, span [][]float64) beatFeatures {
	n := len(beats)
	f := beatFeatures{bass: make([]float64, n), accent: make([]float64, n), span: span}
	peak := func(x []float32, i int) float64 {
		v := float32(0)
		for j := max(0, i-2); j <= min(len(x)-1, i+2); j++ {
			v = max(v, x[j])
		}
		return float64(v)
	}
	for k, b := range beats {
		f.bass[k], f.accent[k] = peak(low, b), peak(env, b)
	}
	f.late, f.change2 = harmonicChange(beats, len(low), chroma)
	ul, uc := harmonicChange(beats, len(low), upper)
	for k := range f.late {
		f.late[k] = (f.late[k] + ul[k]) / 2
		f.change2[k] = (f.change2[k] + uc[k]) / 2
	}
	return f
}

// harmonicChange returns, for each beat of a track of n frames, the change
// of chroma (one row every chromaEvery frames) from the second half of the
// beat before to its own second half, and from the two beats before it to
// the two from it. The second half leaves out the notes struck on the beat
// (a walking bass, a comping chord on the beat) and keeps the chord the
// beat settles on, which a push or an anticipation has already sounded by
// then.
func harmonicChange(beats []int, n int, chroma [][chromaClasses]float32) (late, change2 []float64) {
	nb := len(beats)
	late, change2 = make([]float64, nb), make([]float64, nb)
	c := make([][chromaClasses]float64, nb)
	h := make([][chromaClasses]float64, nb)
	for k, b := range beats {
		end := n
		if k+1 < nb {
			end = beats[k+1]
		}
		mid := (b + end) / 2
		for j := b / chromaEvery; j <= (end-1)/chromaEvery && j < len(chroma); j++ {
			for p, v := range chroma[j] {
				c[k][p] += float64(v)
				if j*chromaEvery >= mid {
					h[k][p] += float64(v)
				}
			}
		}
	}
	var before, after [chromaClasses]float64
	for k := 1; k < nb; k++ {
		late[k] = 1 - cosine(h[k][:], h[k-1][:])
		if k >= 2 && k+2 <= nb {
			for p := range before {
				before[p], after[p] = c[k-2][p]+c[k-1][p], c[k][p]+c[k+1][p]
			}
			change2[k] = 1 - cosine(after[:], before[:])
		}
	}
	return late, change2
}

// cosine returns the cosine similarity of a and b (1 when either is zero).
func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 || bb == 0 {
		return 1
	}
	return ab / math.Sqrt(aa*bb)
}

// zscore standardises v in place (a constant v becomes 0).
func zscore(v []float64) {
	var m, s float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	s = math.Sqrt(s / float64(len(v)))
	for i, x := range v {
		if s > 0 {
			v[i] = (x - m) / s
		} else {
			v[i] = 0
		}
	}
}

// estimateMeter returns the beats per bar, each beat's position in its bar
// (1 = downbeat) and a confidence. A bar length M and phase p
// score by how much stronger the downbeat evidence is on beats k ≡ p
// (mod M) than on the others: chords change and the bass lands on the one.
// The evidence is the sum of the standardised harmonic change from the
// second half of one beat to the second half of the next and from half bar
// to half bar (a chord held for two beats or more changes on the bar line,
// where a walking bass or a comping figure changes on every beat) and half
// each of the standardised low-band and low+mid accents, standardised again
// so barJump keeps its scale. Bars of 2 are considered only for compound
// beats (6/8 at the dotted quarter); 2/4 and 4/4 are otherwise read as 4.
//
// Once M is chosen, the bars are placed with the arrangement's changes
// added to the evidence (arrangementPeaks): sections start on a downbeat,
// so over a whole piece the bar-long windows that change most sharply are
// the ones that start on beat 1, whatever the style's drum pattern.
func estimateMeter(f beatFeatures, compound bool) (int, []int, float64) {
	n := len(f.late)
	if n < 8 {
		return 4, barPositions(make([]float64, n), 4), 0
	}
	ev := make([]float64, n)
	for _, c := range []struct {
		v []float64
		w float64
	}{{f.late, 1}, {f.change2, 1}, {f.bass, 0.5}, {f.accent, 0.5}} {
		z := append([]float64(nil), c.v...)
		zscore(z)
		for k := range ev {
			ev[k] += c.w * z[k]
		}
	}
	zscore(ev)
	type cand struct {
		m, phase int
		score    float64
	}
	var cands []cand
	for _, m := range []int{2, 3, 4} {
		if m == 2 && !compound {
			continue
		}
		best := cand{m: m, score: math.Inf(-1)}
		for p := range m {
			var on, off float64
			var non, noff int
			for k, v := range ev {
				if (k-p)%m == 0 {
					on += v
					non++
				} else {
					off += v
					noff++
				}
			}
			if non == 0 || noff == 0 {
				continue
			}
			if s := on/float64(non) - off/float64(noff); s > best.score {
				best = cand{m, p, s}
			}
		}
		cands = append(cands, best)
	}
	best, second := cands[0], math.Inf(-1)
	for _, c := range cands[1:] {
		if c.score > best.score {
			best = c
		}
	}
	for _, c := range cands {
		if c != best {
			second = max(second, c.score)
		}
	}
	if best.score <= 0 {
		return 4, barPositions(ev, 4), 0
	}
	if len(f.span) == n {
		a := arrangementPeaks(f.span, best.m)
		zscore(a)
		for k := range ev {
			ev[k] += a[k]
		}
		zscore(ev)
	}
	conf := 1.0
	if !math.IsInf(second, -1) && second > 0 {
		conf = 1 - second/best.score
	}
	return best.m, barPositions(ev, best.m), math.Round(conf*1000) / 1000
}

// arrangementPeaks returns, for each beat k, how much more sharply the
// arrangement changes at k than at its neighbours: the squared change
// between the section features of the 2m (and 4m) beats before k and
// those from it, the smaller of the two (as sectionBounds), less the mean
// of the same at k−1 and k+1. Inside a steady passage it is noise around
// 0; where a part enters or leaves, or a crash and a fill mark a phrase,
// it peaks on the downbeat.
func arrangementPeaks(span [][]float64, m int) []float64 {
	n := len(span)
	nov := make([]float64, n)
	for k := 1; k < n; k++ {
		v := min(barChange(span, k, 2*m), barChange(span, k, 4*m))
		nov[k] = v * v
	}
	out := make([]float64, n)
	for k := 1; k+1 < n; k++ {
		out[k] = nov[k] - (nov[k-1]+nov[k+1])/2
	}
	return out
}

// barJump is the cost (in units of standardised downbeat evidence) of a
// bar that does not follow on from the previous one: a beat the tracker
// skipped or added, or a bar of another length.
const barJump = 4

// barPositions assigns positions 1..m to beats with the downbeat evidence
// ev by Viterbi decoding: each beat advances the position by one, or
// restarts the count at barJump's cost, and a downbeat scores its evidence.
// A skipped beat in a quiet passage shifts the bar only where it happened.
func barPositions(ev []float64, m int) []int {
	n := len(ev)
	pos := make([]int, n)
	if n == 0 {
		return pos
	}
	score := make([]float64, m)
	back := make([][]int8, n)
	next := make([]float64, m)
	for s := range m {
		if s == 0 {
			score[s] = ev[0]
		}
	}
	for k := 1; k < n; k++ {
		back[k] = make([]int8, m)
		bestAll, argAll := math.Inf(-1), 0
		for s := range m {
			if score[s] > bestAll {
				bestAll, argAll = score[s], s
			}
		}
		for s := range m {
			prev := (s + m - 1) % m
			v, arg := score[prev], prev
			if j := bestAll - barJump; j > v {
				v, arg = j, argAll
			}
			if s == 0 {
				v += ev[k]
			}
			next[s], back[k][s] = v, int8(arg)
		}
		score, next = next, score
	}
	s := 0
	for t := range m {
		if score[t] > score[s] {
			s = t
		}
	}
	for k := n - 1; k >= 0; k-- {
		pos[k] = s + 1
		if k > 0 {
			s = int(back[k][s])
		}
	}
	return pos
}

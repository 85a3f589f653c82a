package dsp

import "math"

// Beat tracking.
const (
	beatTightness = 100 // weight of the squared log deviation from the period
	// Local tempo: the period is re-measured in windows of tempoWinSeconds
	// every tempoHopSeconds, within ±tempoDrift of the global period (see
	// localPeriods).
	tempoWinSeconds = 8
	tempoHopSeconds = 1
	tempoDrift      = 0.45
	tempoChangeCost = 0.1  // Viterbi cost of a tempoChangeStep change between windows
	tempoChangeStep = 0.03 // relative period change
	// tempoPull: every window pays this share of the cost of changing from
	// the global period to its own, so a deviation is kept only where it is
	// heard for a while (a tempo change) and not where a local pattern
	// (a dotted-quarter figure in an intro, a busy break) outscores the
	// beat for a few seconds: two and a half windows away from the global
	// period cost as much as the change into it (0.2, five windows, let a
	// bossa's syncopated figure pull a drifting 139 BPM grid to 174 for
	// stretches; 0.3–0.8 all read every dev and dev2 tempo, 1.2 no longer
	// follows the synthetic 96–132 BPM ramp; see BENCHMARKS.md).
	tempoPull = 0.4
	beatTrim  = 0.1 // share of the RMS beat strength under which end beats are dropped
)

// localPeriods returns the beat period (frames) of env in windows of
// tempoWinSeconds every tempoHopSeconds (window w is centred on frame
// w·hop), within ±tempoDrift of the global period P, so the tracker follows
// tempo changes at the chosen metrical level. Each window scores every lag
// by its autocorrelation plus half that at group times the lag (a bar of
// group beats; this favours the period over its neighbours), scaled to the
// window's best. With group 3, a waltz's passage that marks only its bars
// scores its beat and its half bar alike and the pull keeps the beat; at
// twice the lag the half bar (whose double is the bar) won. A Viterbi path
// through the windows then picks one lag each, paying tempoChangeCost per
// tempoChangeStep of relative change and tempoPull of that per window for
// its distance from P, so a steady tempo stays put, a ramp is followed and
// a step change is taken at once.
func localPeriods(env []float32, P, fps float64, group int) (periods []float64, hop int) {
	hop = max(1, int(tempoHopSeconds*fps))
	win := int(tempoWinSeconds * fps)
	n := len(env)
	lo, hi := int(math.Floor(P/(1+tempoDrift))), int(math.Ceil(P*(1+tempoDrift)))
	if n < 2*win || hi*group >= win || lo < 2 {
		return nil, hop
	}
	nl := hi - lo + 1
	y := make([]float64, win)
	ac := make([]float64, group*hi+2)
	var scores [][]float64 // per window, per lag lo..hi
	for c := 0; c < n; c += hop {
		s := min(max(0, c-win/2), n-win)
		seg := env[s : s+win]
		var mean float64
		for _, v := range seg {
			mean += float64(v)
		}
		mean /= float64(win)
		for i, v := range seg {
			y[i] = float64(v) - mean
		}
		for l := lo; l < len(ac) && l < win; l++ {
			if l > hi && l < group*lo {
				continue
			}
			var sum float64
			for i := 0; i+l < win; i++ {
				sum += y[i] * y[i+l]
			}
			ac[l] = sum / float64(win-l)
		}
		sc := make([]float64, nl)
		top := math.Inf(-1)
		for L := lo; L <= hi; L++ {
			sc[L-lo] = ac[L] + 0.5*ac[min(group*L, len(ac)-1)]
			top = max(top, sc[L-lo])
		}
		if top > 0 {
			for i := range sc {
				sc[i] /= top
			}
		}
		scores = append(scores, sc)
	}
	// Viterbi over the windows.
	cost := make([]float64, nl)
	for i := range cost {
		cost[i] = tempoChangeCost * math.Abs(math.Log(float64(lo+i)/float64(lo))) / math.Log(1+tempoChangeStep)
	}
	change := func(a, b int) float64 { return math.Abs(cost[a] - cost[b]) }
	p0 := tempoChangeCost * math.Log(P/float64(lo)) / math.Log(1+tempoChangeStep)
	for _, sc := range scores {
		for i := range sc {
			sc[i] -= tempoPull * math.Abs(cost[i]-p0)
		}
	}
	val := append([]float64(nil), scores[0]...)
	next := make([]float64, nl)
	back := make([][]int16, len(scores))
	for w := 1; w < len(scores); w++ {
		back[w] = make([]int16, nl)
		for i := range nl {
			best, arg := math.Inf(-1), 0
			for j := range nl {
				if v := val[j] - change(i, j); v > best {
					best, arg = v, j
				}
			}
			next[i], back[w][i] = best+scores[w][i], int16(arg)
		}
		val, next = next, val
	}
	k := 0
	for i := range val {
		if val[i] > val[k] {
			k = i
		}
	}
	periods = make([]float64, len(scores))
	for w := len(scores) - 1; w >= 0; w-- {
		p := float64(lo + k)
		// Sub-frame peak by a parabola through the neighbours.
		if sc := scores[w]; k > 0 && k < nl-1 {
			a, b, c := sc[k-1], sc[k], sc[k+1]
			if d := a - 2*b + c; d < 0 {
				p += math.Max(-0.5, math.Min(0.5, 0.5*(a-c)/d))
			}
		}
		periods[w] = p
		if w > 0 {
			k = int(back[w][k])
		}
	}
	return periods, hop
}

// trackBeats runs Ellis' dynamic-programming beat tracker on the onset
// envelope with the beat period (frames) period(i) at frame i and returns
// the beat frames. local (float32) and cum (at least len(odf) each) are
// work space; local may not be odf.
func trackBeats(odf []float32, period func(int) float64, local []float32, cum []float64) []int {
	n := len(odf)
	if n == 0 {
		return nil
	}
	// Local score: the envelope (scaled by its std) smoothed by a Gaussian
	// of width period/32.
	var mean, sq float64
	for _, v := range odf {
		mean += float64(v)
	}
	mean /= float64(n)
	for _, v := range odf {
		d := float64(v) - mean
		sq += d * d
	}
	std := math.Sqrt(sq / float64(n))
	if std == 0 {
		return nil
	}
	P0 := period(0)
	half := max(1, int(math.Round(P0/8)))
	kern := make([]float64, 2*half+1)
	for i := range kern {
		x := float64(i-half) * 32 / P0
		kern[i] = math.Exp(-0.5 * x * x)
	}
	local, cum = local[:n], cum[:n]
	for i := range n {
		var s float64
		for j := max(0, i-half); j <= min(n-1, i+half); j++ {
			s += kern[j-i+half] * float64(odf[j])
		}
		local[i] = float32(s / std)
	}
	back := make([]int32, n)
	for i := range n {
		p := period(i)
		lo, hi := max(1, int(math.Round(p/2))), int(math.Round(2*p))
		best, arg := math.Inf(-1), int32(-1)
		for d := lo; d <= hi && i-d >= 0; d++ {
			l := math.Log(float64(d) / p)
			if s := cum[i-d] - beatTightness*l*l; s > best {
				best, arg = s, int32(i-d)
			}
		}
		cum[i] = float64(local[i])
		back[i] = arg
		if arg >= 0 && best > 0 {
			cum[i] += best
		} else {
			back[i] = -1
		}
	}
	// Last beat: the last local maximum of cum above half the median of
	// local maxima.
	isMax := func(i int) bool { return cum[i] > cum[i-1] && cum[i] >= cum[i+1] }
	var maxima []float64
	for i := 1; i+1 < n; i++ {
		if isMax(i) {
			maxima = append(maxima, cum[i])
		}
	}
	if len(maxima) == 0 {
		return nil
	}
	med := median(maxima)
	last := -1
	for i := n - 2; i >= 1; i-- {
		if isMax(i) && cum[i] >= 0.5*med {
			last = i
			break
		}
	}
	if last < 0 {
		return nil
	}
	var beats []int
	for i := last; i >= 0; i = int(back[i]) {
		beats = append(beats, i)
		if back[i] < 0 {
			break
		}
	}
	for i, j := 0, len(beats)-1; i < j; i, j = i+1, j-1 {
		beats[i], beats[j] = beats[j], beats[i]
	}
	// Trim weak beats at both ends (below a tenth of the RMS of beat
	// strengths: silence or a fade, not a quiet intro without drums).
	var rs float64
	for _, b := range beats {
		rs += float64(local[b]) * float64(local[b])
	}
	thr := beatTrim * math.Sqrt(rs/float64(len(beats)))
	for len(beats) > 0 && float64(local[beats[0]]) < thr {
		beats = beats[1:]
	}
	for len(beats) > 0 && float64(local[beats[len(beats)-1]]) < thr {
		beats = beats[:len(beats)-1]
	}
	return beats
}

package dsp

import "math"

// Tempo search range and prior.
const (
	tempoMinBPM     = 40
	tempoMaxBPM     = 240
	tempoPriorBPM   = 120
	tempoPriorSigma = 1.5 // octaves
	tempoACFSeconds = 4   // lags considered by the comb
	tempoLagStep    = 0.1 // frames
	beatTightness   = 100
)

// autocorr returns the autocorrelation of the mean-removed envelope for lags
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

// estimatePeriod returns the beat period in frames and a 0..1 confidence;
// scratch (at least len(odf)) is work space.
// Every candidate lag L is scored by its comb (Σ_k A(kL))²/n over the n
// multiples within 4 s: the true period beats both its double (half the
// terms) and its half (every other term missing) by a factor of two. A mild
// log-normal prior centred on 120 BPM breaks near ties.
func estimatePeriod(odf []float32, fps float64, scratch []float64) (float64, float64) {
	maxLag := int(tempoACFSeconds * fps)
	if len(odf) < 2*int(60*fps/tempoMaxBPM) {
		return 0, 0
	}
	ac := autocorr(odf, maxLag+2, scratch)
	if ac[0] <= 0 {
		return 0, 0
	}
	at := func(x float64) float64 { // max of A within ±1 frame of x
		i := int(math.Round(x))
		best := 0.0
		for j := max(1, i-1); j <= min(len(ac)-1, i+1); j++ {
			best = max(best, ac[j])
		}
		return best
	}
	lo, hi := 60*fps/tempoMaxBPM, 60*fps/tempoMinBPM
	bestL, bestS := 0.0, 0.0
	for L := lo; L <= hi; L += tempoLagStep {
		n := int(float64(maxLag) / L)
		if n < 1 {
			break
		}
		var s float64
		for k := 1; k <= n; k++ {
			s += at(float64(k) * L)
		}
		if s <= 0 {
			continue
		}
		oct := math.Log2(60 * fps / L / tempoPriorBPM)
		score := s * s / float64(n) * math.Exp(-0.5*oct*oct/(tempoPriorSigma*tempoPriorSigma))
		if score > bestS {
			bestS, bestL = score, L
		}
	}
	if bestL == 0 {
		return 0, 0
	}
	conf := at(bestL) / ac[0]
	return bestL, math.Max(0, math.Min(1, conf))
}

// trackBeats runs Ellis' dynamic-programming beat tracker on the onset
// envelope with the given period (frames) and returns beat frames. local
// (float32) and cum (at least len(odf) each) are work space; local may not
// be odf.
func trackBeats(odf []float32, period float64, local []float32, cum []float64) []int {
	n := len(odf)
	if n == 0 || period <= 0 {
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
	half := int(math.Round(period))
	kern := make([]float64, 2*half+1)
	for i := range kern {
		x := float64(i-half) * 32 / period
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
	lo, hi := int(math.Round(period/2)), int(math.Round(2*period))
	pen := make([]float64, hi+1)
	for d := lo; d <= hi; d++ {
		l := math.Log(float64(d) / period)
		pen[d] = -beatTightness * l * l
	}
	for i := range n {
		best, arg := math.Inf(-1), int32(-1)
		for d := lo; d <= hi && i-d >= 0; d++ {
			if s := cum[i-d] + pen[d]; s > best {
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
	count := 0
	for i := 1; i+1 < n; i++ {
		if isMax(i) {
			count++
		}
	}
	if count == 0 {
		return nil
	}
	maxima := make([]float64, 0, count)
	for i := 1; i+1 < n; i++ {
		if isMax(i) {
			maxima = append(maxima, cum[i])
		}
	}
	sortFloat64s(maxima)
	med := medianSorted(maxima)
	last := -1
	for i := n - 2; i >= 1; i-- {
		if cum[i] > cum[i-1] && cum[i] >= cum[i+1] && cum[i] >= 0.5*med {
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
	// Trim weak beats at both ends (below half the RMS of beat strengths).
	var rs float64
	for _, b := range beats {
		rs += float64(local[b]) * float64(local[b])
	}
	thr := 0.5 * math.Sqrt(rs/float64(len(beats)))
	for len(beats) > 0 && float64(local[beats[0]]) < thr {
		beats = beats[1:]
	}
	for len(beats) > 0 && float64(local[beats[len(beats)-1]]) < thr {
		beats = beats[:len(beats)-1]
	}
	return beats
}

// refineBPM fits beat index against beat time by least squares and returns
// 60/slope when the beats are regular (inter-beat intervals within 10% of
// their median); otherwise fallback.
func refineBPM(times []float64, fallback float64) float64 {
	if len(times) < 8 {
		return fallback
	}
	ibi := make([]float64, len(times)-1)
	for i := range ibi {
		ibi[i] = times[i+1] - times[i]
	}
	med := median(ibi)
	var irregular int
	for _, d := range ibi {
		if math.Abs(d-med) > 0.1*med {
			irregular++
		}
	}
	if irregular > len(ibi)/10 {
		return fallback
	}
	// Beat numbers come from the median interval, so a skipped beat does not
	// bend the fit.
	n := float64(len(times))
	var sx, sy, sxx, sxy float64
	x := 0.0
	for i, t := range times {
		if i > 0 {
			x += max(1, math.Round(ibi[i-1]/med))
		}
		sx += x
		sy += t
		sxx += x * x
		sxy += x * t
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	if !(slope > 0) {
		return fallback
	}
	return 60 / slope
}

// median returns the median of v (v is not modified).
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sortFloat64s(s)
	return medianSorted(s)
}

// medianSorted returns the median of the sorted, non-empty s.
func medianSorted(s []float64) float64 {
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

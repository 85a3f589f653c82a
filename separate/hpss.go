package separate

import "slices"

// Median filter lengths of the harmonic/percussive separation (Fitzgerald
// 2010): a bin is harmonic when it is steady over time (its median over
// harmonicSeconds is high) and percussive when it is broadband (its median over
// percussiveHz of neighbouring bins is high).
const (
	harmonicSeconds = 0.3
	percussiveHz    = 600
)

// oddAtLeast3 returns x truncated and rounded up to an odd length, at least 3.
func oddAtLeast3(x float64) int {
	n := max(int(x), 3)
	return n | 1
}

// replaceSorted replaces one occurrence of old in the ascending slice s by v
// and restores the order by shifting the values between them: O(len(s)).
func replaceSorted(s []float32, old, v float32) {
	i, j := 0, len(s) // binary search for old; the values are never NaN
	for i < j {
		h := int(uint(i+j) >> 1)
		if s[h] < old {
			i = h + 1
		} else {
			j = h
		}
	}
	if v > old {
		for i+1 < len(s) && s[i+1] < v {
			s[i] = s[i+1]
			i++
		}
	} else {
		for i > 0 && s[i-1] > v {
			s[i] = s[i-1]
			i--
		}
	}
	s[i] = v
}

// timeMedian is a running median over the last width frames of every bin,
// kept as one ascending window per bin. It starts as width frames of silence.
type timeMedian struct {
	width  int
	sorted []float32 // bins × width
}

// newTimeMedian returns a median of width (odd) frames over bins bins.
func newTimeMedian(bins, width int) *timeMedian {
	return &timeMedian{width: width, sorted: make([]float32, bins*width)}
}

// replace moves the window of bin b on: old, the value of the frame leaving it,
// is replaced by v, the value of the frame entering it.
func (m *timeMedian) replace(b int, old, v float32) {
	replaceSorted(m.sorted[b*m.width:(b+1)*m.width], old, v)
}

// median writes the median of every bin's window to dst.
func (m *timeMedian) median(dst []float32) {
	for b := range dst {
		dst[b] = m.sorted[b*m.width+m.width/2]
	}
}

// freqMedian writes to dst the median of mag over width (odd, at most
// 2·len(mag)−1) bins centred on each bin, mirroring mag at its edges.
// scratch holds width values.
func freqMedian(dst, mag, scratch []float32) {
	half := len(scratch) / 2
	last := len(mag) - 1
	at := func(i int) float32 {
		switch {
		case i < 0:
			return mag[-i]
		case i > last:
			return mag[2*last-i]
		}
		return mag[i]
	}
	for j := range scratch {
		scratch[j] = at(j - half)
	}
	slices.Sort(scratch)
	for b := range dst {
		dst[b] = scratch[half]
		if b < last {
			replaceSorted(scratch, at(b-half), at(b+half+1))
		}
	}
}

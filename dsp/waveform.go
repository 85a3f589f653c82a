package dsp

// WaveformPoints is the number of points of a Waveform.
const WaveformPoints = 1024

// waveBuckets is how many buckets waveAcc keeps before merging pairs; at the
// end each point gathers at least waveBuckets/2/WaveformPoints = 4 of them.
const waveBuckets = 8 * WaveformPoints

// Waveform is a fixed-size min/max overview of the mono mix-down. It is built
// in one pass without knowing the track length (a streaming WAV has none):
// point i covers samples [i·n/Points, (i+1)·n/Points) exactly for tracks of up
// to 8192 samples; for longer ones each point boundary may be off that grid by
// less than a quarter of a point.
type Waveform struct {
	Points int       `json:"points"` // 1024 (fewer only if the track has fewer samples)
	Min    []float32 `json:"min"`
	Max    []float32 `json:"max"`
}

// waveAcc builds a Waveform in one pass without knowing the track length.
// It keeps the min and max of consecutive buckets of size samples each; when
// waveBuckets buckets are full it merges neighbour pairs and doubles size, so
// memory is fixed. At the end point i takes the buckets that start in samples
// [i·n/P, (i+1)·n/P) of the n samples: exact while n ≤ waveBuckets, otherwise
// each point boundary is off the exact grid by less than one bucket (under a
// quarter of a point).
type waveAcc struct {
	size     int64 // samples per bucket, a power of two
	fill     int64 // samples in the last bucket
	min, max []float32
	n        int64 // samples seen
}

func newWaveAcc() *waveAcc {
	return &waveAcc{
		size: 1,
		fill: 1, // "the last bucket is full": the first sample opens one
		min:  make([]float32, 0, waveBuckets),
		max:  make([]float32, 0, waveBuckets),
	}
}

// add appends one sample.
func (w *waveAcc) add(v float32) {
	w.n++
	if w.fill < w.size {
		last := len(w.min) - 1
		w.min[last] = min(w.min[last], v)
		w.max[last] = max(w.max[last], v)
		w.fill++
		return
	}
	if len(w.min) == waveBuckets {
		w.merge()
	}
	w.min = append(w.min, v)
	w.max = append(w.max, v)
	w.fill = 1
}

// addBlock is add for each of vs in order.
func (w *waveAcc) addBlock(vs []float32) {
	for len(vs) > 0 {
		if w.fill == w.size {
			w.add(vs[0])
			vs = vs[1:]
			continue
		}
		// Fill the open bucket.
		k := min(int64(len(vs)), w.size-w.fill)
		last := len(w.min) - 1
		lo, hi := w.min[last], w.max[last]
		// Plain comparisons (no NaN: decoders clamp) are cheaper than the
		// min and max builtins, whose NaN and signed-zero rules need extra
		// work; for ±0 either zero is the same amplitude, and the first
		// one seen is kept.
		chunk := vs[:k]
		// The vector extrema (when there are) of a prefix: a non-zero
		// extremum has one bit pattern, so they are what the loop finds;
		// a zero one could be either zero, and the loop redoes the chunk.
		if vlo, vhi, n := waveExtremaVector(chunk); n > 0 && vlo != 0 && vhi != 0 {
			if vlo < lo {
				lo = vlo
			}
			if vhi > hi {
				hi = vhi
			}
			chunk = chunk[n:]
		}
		for _, v := range chunk {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
		w.min[last], w.max[last] = lo, hi
		w.fill += k
		w.n += k
		vs = vs[k:]
	}
}

// merge halves the bucket count by joining neighbours; every bucket is full.
func (w *waveAcc) merge() {
	for i := range waveBuckets / 2 {
		w.min[i] = min(w.min[2*i], w.min[2*i+1])
		w.max[i] = max(w.max[2*i], w.max[2*i+1])
	}
	w.min = w.min[:waveBuckets/2]
	w.max = w.max[:waveBuckets/2]
	w.size *= 2
	w.fill = w.size
}

// result reduces the buckets to min(WaveformPoints, samples) points.
func (w *waveAcc) result() Waveform {
	p := min(int64(WaveformPoints), w.n)
	out := Waveform{Points: int(p), Min: make([]float32, p), Max: make([]float32, p)}
	prev := int64(-1)
	for j := range w.min {
		i := int64(j) * w.size * p / w.n
		if i != prev {
			out.Min[i], out.Max[i] = w.min[j], w.max[j]
			prev = i
			continue
		}
		out.Min[i] = min(out.Min[i], w.min[j])
		out.Max[i] = max(out.Max[i], w.max[j])
	}
	return out
}

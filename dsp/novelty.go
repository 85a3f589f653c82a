package dsp

import "math"

// Filterbank of the tracking envelopes (novelty; onset events have their
// own, finer one: onsetEnvelope): bands a sixth of an octave wide from
// onsetLowHz to onsetHighHz (capped at Nyquist), merged until each holds at
// least onsetMinBins bins. Wide-enough bands keep the level of a stationary
// noise steady from frame to frame (a band of k bins fluctuates by about
// 1/√k), so noise does not rise in the envelope while a soft hat still does.
const (
	onsetLowHz     = 30
	onsetHighHz    = 16000
	onsetPerOctave = 6
	onsetMinBins   = 4
	// Accent bands: bands centred below accentLowHz carry kicks and bass
	// notes, up to accentMidHz snares, chords and melody; above are hats
	// and cymbals.
	accentLowHz = 200
	accentMidHz = 2500
	// odfFloorDB is the band level (dB re a full-scale sine) under which
	// levels are clamped, so rises out of near-silence (reverb tails,
	// dither) do not read as onsets.
	odfFloorDB = -80
)

// onsetBands is the per-frame onset evidence: the rectified band-level rise
// (dB, mean over bands) of the whole spectrum and of the low and mid bands.
type onsetBands struct {
	all, low, mid float32
}

// novelty computes the onset envelope SuperFlux-style: the rise of each
// band level (dB) over the maximum of the three neighbouring bands of the
// previous frame, so pitch glides (a kick's sweep) and vibrato do not read
// as onsets. The low and mid envelopes (for tempo and bars) compare with two
// frames before instead (one whole frame length): an onset's full rise then
// shows whatever its place within the hop, so equal hits give equal peaks.
type novelty struct {
	edges          []int // band b is bins edges[b] .. edges[b+1]-1
	lowEnd, midEnd int   // bands [0, lowEnd) are low, [lowEnd, midEnd) mid
	scale          float64
	cur, prev      []float64
	prev2          []float64 // levels two frames back
	frames         int
}

func newNovelty(rate int) *novelty {
	n := &novelty{edges: logBands(rate, onsetPerOctave, onsetMinBins)}
	binHz := float64(rate) / FrameSize
	bands := len(n.edges) - 1
	for b := range bands {
		c := binHz * float64(n.edges[b]+n.edges[b+1]-1) / 2
		if c < accentLowHz {
			n.lowEnd = b + 1
		}
		if c < accentMidHz {
			n.midEnd = b + 1
		}
	}
	n.lowEnd = max(1, n.lowEnd)
	n.midEnd = max(n.lowEnd, n.midEnd)
	// A full-scale sine's peak bin holds (N/4)² of power (Hann window).
	n.scale = 1.0 / (FrameSize / 4 * FrameSize / 4)
	n.cur, n.prev, n.prev2 = make([]float64, bands), make([]float64, bands), make([]float64, bands)
	return n
}

// frame returns the onset evidence of the frame with power spectrum pow.
func (n *novelty) frame(pow []float64) onsetBands {
	floor := math.Pow(10, odfFloorDB/10)
	for b := range n.cur {
		e := sum4(pow[n.edges[b]:n.edges[b+1]]) * n.scale
		n.cur[b] = 10 * math.Log10(max(e, floor))
	}
	var out onsetBands
	if n.frames >= 1 {
		var sum float64
		for b := range n.cur {
			sum += bandRise(n.cur, n.prev, b)
		}
		out.all = float32(sum / float64(len(n.cur)))
	}
	if n.frames >= 2 {
		var low, mid float64
		for b := range n.midEnd {
			if b < n.lowEnd {
				low += bandRise(n.cur, n.prev2, b)
			} else {
				mid += bandRise(n.cur, n.prev2, b)
			}
		}
		out.low = float32(low / float64(n.lowEnd))
		out.mid = float32(mid / float64(max(1, n.midEnd-n.lowEnd)))
	}
	n.cur, n.prev, n.prev2 = n.prev2, n.cur, n.prev
	n.frames++
	return out
}

// logBands returns the edges of bands perOctave to the octave from
// onsetLowHz to onsetHighHz (capped at Nyquist) over the bins of a
// FrameSize spectrum at rate, merged until each band holds at least minBins
// bins: band b is bins edges[b] .. edges[b+1]-1.
func logBands(rate int, perOctave float64, minBins int) []int {
	binHz := float64(rate) / FrameSize
	top := min(onsetHighHz, float64(rate)/2)
	lo := max(1, int(math.Ceil(onsetLowHz/binHz)))
	edges := []int{lo}
	step := math.Pow(2, 1/perOctave)
	for f := onsetLowHz * step; ; f *= step {
		k := min(int(math.Round(min(f, top)/binHz)), FrameSize/2+1)
		if k-edges[len(edges)-1] >= minBins {
			edges = append(edges, k)
		}
		if f >= top {
			break
		}
	}
	if len(edges) < 2 { // very low rates: one band of whatever there is
		edges = append(edges, FrameSize/2+1)
	}
	return edges
}

// bandRise is the rectified rise of level cur[b] (dB) over the maximum of
// prev[b] and its neighbouring bands prev[b±1].
func bandRise(cur, prev []float64, b int) float64 {
	return max(0, cur[b]-neighbourMax(prev, b))
}

// neighbourMax is the maximum of v[b-1], v[b] and v[b+1] (those that exist).
func neighbourMax(v []float64, b int) float64 {
	m := v[b]
	if b > 0 {
		m = max(m, v[b-1])
	}
	if b < len(v)-1 {
		m = max(m, v[b+1])
	}
	return m
}

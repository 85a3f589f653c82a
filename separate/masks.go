package separate

import "math"

// Frequency bands of the band-limited stems, as raised-cosine crossovers:
// the weight is 1 below lo, 0 above hi.
const (
	bassLoHz, bassHiHz   = 150, 300
	pianoLoHz, pianoHiHz = 1500, 3000
)

// centreSharpness is κ in the centre weight m²/(m²+(κ·s)²) of a bin with mid
// energy m (of the mean of the channels) and side energy s (the mean over the
// channels of their squared distance to that mean; |(L−R)/2|² in stereo): a
// source panned 0.9/0.3 (side/mid energy 1/4)
// gets about 6%, one panned 1/0.9 (1/361) more than 99%.
const centreSharpness = 16

// transientGain scales the excess of a bin's magnitude over its time median
// when that excess is taken as the percussive magnitude (see masker).
const transientGain = 2

// lowPass returns the weight of frequency f in a raised-cosine low-pass
// crossover from lo (weight 1) to hi (weight 0).
func lowPass(f, lo, hi float64) float64 {
	switch {
	case f <= lo:
		return 1
	case f >= hi:
		return 0
	}
	return 0.5 + 0.5*math.Cos(math.Pi*(f-lo)/(hi-lo))
}

// wiener returns a²/(a²+b²), the soft mask of a source of magnitude a against
// one of magnitude b; ½ when both are 0.
func wiener(a, b float64) float64 {
	a, b = a*a, b*b
	if a+b == 0 {
		return 0.5
	}
	return a / (a + b)
}

// masker computes the soft masks of one STFT frame from the mask model's
// shares and the harmonic/percussive and mid/side analysis. Every bin is
// split into parts that sum to 1:
//
//   - drums D and bass B, the model's shares of the bin (see maskModel);
//   - centred harmonic R·H·(1−b)·c of the rest R = 1 − D − B;
//   - the remainder.
//
// H = h²/(h²+p²) is the harmonic mask of median filtering: h is the median of
// the bin's magnitude over time (steady sounds). The percussive magnitude p
// is the smaller of the median over neighbouring bins (broadband sounds) and
// the transient excess 2·max(0, |X|−h), so that dense steady chords are not
// taken as broadband; in the bass band p is the transient excess alone. b is
// the bass band weight and c the centre weight from mid/side energy.
//
// The stems take drums = D, bass = B, vocals = R·H·(1−b)·c; piano takes the
// rest's non-centred harmonic part R·H·(1−b)·(1−c) in the piano band; the
// last stem of every variant (accompaniment or other) is what the others
// leave.
type masker struct {
	bass, piano   []float64 // band weights per bin
	drums, basses []float64 // the model's shares per bin

	// masks holds the masks of the last frame computed, per part and bin.
	masks [numParts][]float64
}

// part names a masked stem.
type part int

// The masked stems; the residual stem has no part.
const (
	partVocals part = iota
	partDrums
	partBass
	partPiano
	numParts
)

// newMasker prepares the masks of bins STFT bins of frames of n samples at
// rate Hz.
func newMasker(bins, n, rate int) *masker {
	m := &masker{bass: make([]float64, bins), piano: make([]float64, bins),
		drums: make([]float64, bins), basses: make([]float64, bins)}
	for p := range m.masks {
		m.masks[p] = make([]float64, bins)
	}
	for b := range bins {
		f := float64(b) * float64(rate) / float64(n)
		m.bass[b] = lowPass(f, bassLoHz, bassHiHz)
		m.piano[b] = lowPass(f, pianoLoHz, pianoHiHz)
	}
	return m
}

// compute fills the masks of frame f, whose model shares are spread over
// the bins by bm.
func (m *masker) compute(f *frame, bm *bandMap) {
	bands := len(f.shares) / 3
	bm.expand(m.drums, f.shares[:bands])
	bm.expand(m.basses, f.shares[bands:2*bands])
	inv := 1 / float64(len(f.spec))
	for b := range m.bass {
		var mid complex128
		for _, x := range f.spec {
			mid += x[b]
		}
		mid *= complex(inv, 0)
		var side float64
		for _, x := range f.spec {
			d := x[b] - mid
			side += real(d)*real(d) + imag(d)*imag(d)
		}
		side *= inv
		midE := real(mid)*real(mid) + imag(mid)*imag(mid)
		c := wiener(midE, centreSharpness*side)

		excess := transientGain * max(0, float64(f.mag[b]-f.harm[b]))
		p := m.bass[b]*excess + (1-m.bass[b])*min(float64(f.perc[b]), excess)
		h := wiener(float64(f.harm[b]), p)
		d, bs := m.drums[b], m.basses[b]
		high := max(0, 1-d-bs) * h * (1 - m.bass[b])
		m.masks[partDrums][b] = d
		m.masks[partBass][b] = bs
		m.masks[partVocals][b] = high * c
		m.masks[partPiano][b] = high * (1 - c) * m.piano[b]
	}
}

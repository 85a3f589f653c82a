package dsp

import "math"

// Band edges of the bass/mid/treble series, in Hz.
const (
	bassLowHz  = 20
	bassHighHz = 250
	midHighHz  = 4000
)

// rolloffFraction is the share of spectral power below spectralRolloff.
const rolloffFraction = 0.85

// spectrumBands is the number of bands of the amplitude spectrum series.
const spectrumBands = 32

// barkBands is the number of Bark bands of the perceptual features.
const barkBands = 24

// flatBlocks is the number of whole blocks of 16 bins whose product makes
// one log of the spectral flatness (the bins after them make one more).
const flatBlocks = (FrameSize/2 + 1) / 16

// spectral holds the per-bin tables of the 1024-point spectrum features.
type spectral struct {
	rate     float64
	bins     int       // FrameSize/2+1
	freq     []float64 // bin centre frequencies
	bandOf   []int8    // bin → 0 bass, 1 mid, 2 treble, -1 none
	barkOf   []int8    // bin → Bark band
	bandEdge [4]int    // bins of band b: bandEdge[b] .. bandEdge[b+1]-1
	barkEdge [barkBands + 1]int
	specEdge [spectrumBands + 1]int
	bandNorm float64 // converts Σ|X|² to mean-square amplitude
	mag      []float64
	prevMag  []float64
	spec     [barkBands]float64
	sharpW   [barkBands]float64 // sharpness weight g(z)·z of Bark band z = i+1
}

func newSpectral(rate int) *spectral {
	s := &spectral{rate: float64(rate), bins: FrameSize/2 + 1}
	s.freq = make([]float64, s.bins)
	s.bandOf = make([]int8, s.bins)
	s.barkOf = make([]int8, s.bins)
	s.mag = make([]float64, s.bins)
	s.prevMag = make([]float64, s.bins)
	for k := range s.bins {
		f := float64(k) * s.rate / FrameSize
		s.freq[k] = f
		switch {
		case f < bassLowHz:
			s.bandOf[k] = -1
		case f < bassHighHz:
			s.bandOf[k] = 0
		case f < midHighHz:
			s.bandOf[k] = 1
		default:
			s.bandOf[k] = 2
		}
		bark := 13*math.Atan(f/1315.8) + 3.5*math.Atan((f/7518)*(f/7518))
		s.barkOf[k] = int8(min(barkBands-1, int(bark)))
	}
	// Bands and Bark bands are runs of bins (both ascend with frequency).
	for b := range s.bandEdge {
		s.bandEdge[b] = s.bins
		for k := s.bins - 1; k >= 0; k-- {
			if int(s.bandOf[k]) >= b {
				s.bandEdge[b] = k
			}
		}
	}
	for b := range s.barkEdge {
		s.barkEdge[b] = s.bins
		for k := s.bins - 1; k >= 0; k-- {
			if int(s.barkOf[k]) >= b {
				s.barkEdge[b] = k
			}
		}
	}
	// Log-spaced amplitude spectrum bands from 20 Hz to Nyquist, each at
	// least one bin wide.
	lo, hi := math.Log(20.0), math.Log(s.rate/2)
	s.specEdge[0] = 1
	for b := 1; b <= spectrumBands; b++ {
		f := math.Exp(lo + (hi-lo)*float64(b)/spectrumBands)
		e := int(math.Round(f * FrameSize / s.rate))
		s.specEdge[b] = min(max(e, s.specEdge[b-1]+1), s.bins)
	}
	s.specEdge[spectrumBands] = s.bins
	// Parseval with a Hann window: Σ_k |X_k|² (one-sided, doubled) ≈
	// N·Σw²·mean-square; Σw² = 3N/8.
	s.bandNorm = 2 / (FrameSize * 3.0 * FrameSize / 8)
	for i := range s.sharpW {
		w := 1.0
		if i >= 15 {
			w = 0.066 * math.Exp(0.171*float64(i+1))
		}
		s.sharpW[i] = w * float64(i+1)
	}
	return s
}

// spectralFrame is the spectral features of one frame.
type spectralFrame struct {
	centroid, rolloff, flatness, flux float64
	bands                             [3]float64 // bass, mid, treble RMS amplitude
	sharpness, spread                 float64
}

// compute derives the spectral features from the power spectrum pow and
// writes the 32-band amplitude spectrum into spec.
func (s *spectral) compute(pow []float64, spec *[spectrumBands]float32) spectralFrame {
	var out spectralFrame
	s.mag, s.prevMag = s.prevMag, s.mag
	var sumMag, sumFMag, sumPow, sumLog float64
	var bands [3]float64
	mag, prev, freq := s.mag[:s.bins], s.prevMag[:s.bins], s.freq[:s.bins]
	pow = pow[:s.bins]
	// Even and odd bins sum separately (two chains of additions the CPU
	// overlaps); the halves are added at the end. The bin count is odd
	// (FrameSize/2+1): the last bin goes to the even sums.
	// The vector version (when there is one) takes the first bins, a
	// multiple of 4, in the same order.
	n2 := len(pow) &^ 1
	prev, freq, mag = prev[:len(pow)], freq[:len(pow)], mag[:len(pow)]
	var acc [8]float64
	k0 := spectralSumsVector(pow[:n2], mag, prev, freq, &acc)
	m0, m1, f0, f1, p0, p1, d0, d1 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] // Σ mag, Σ f·mag, Σ pow, flux
	for k := k0; k < n2; k += 2 {
		pa, pb := pow[k], pow[k+1]
		ma, mb := math.Sqrt(pa), math.Sqrt(pb)
		mag[k], mag[k+1] = ma, mb
		m0 += ma
		m1 += mb
		f0 += ma * freq[k]
		f1 += mb * freq[k+1]
		p0 += pa
		p1 += pb
		// Branch-free positive part: (d+|d|)/2 is d or 0 exactly.
		da, db := ma-prev[k], mb-prev[k+1]
		da, db = (da+math.Abs(da))*0.5, (db+math.Abs(db))*0.5
		d0 += da
		d1 += db
	}
	for k := n2; k < len(pow); k++ {
		p := pow[k]
		m := math.Sqrt(p)
		mag[k] = m
		m0 += m
		f0 += m * freq[k]
		p0 += p
		d := m - prev[k]
		d = (d + math.Abs(d)) * 0.5
		d0 += d
	}
	sumMag, sumFMag, sumPow = m0+m1, f0+f1, p0+p1
	out.flux = d0 + d1
	// Band and Bark sums over their contiguous bin ranges (bins ascend in
	// frequency).
	// All of a table's bands in one call of the vector version when there
	// is one (the same sums as sum4's).
	if !bandSumsVector(pow, s.bandEdge[:], bands[:]) {
		for b := range bands {
			bands[b] = sum4(pow[s.bandEdge[b]:s.bandEdge[b+1]])
		}
	}
	if !bandSumsVector(mag, s.barkEdge[:], s.spec[:]) {
		for i := range s.spec {
			s.spec[i] = sum4(mag[s.barkEdge[i]:s.barkEdge[i+1]])
		}
	}
	if sumMag > 0 {
		out.centroid = sumFMag / sumMag
	}
	for i, b := range bands {
		out.bands[i] = math.Sqrt(b * s.bandNorm)
	}
	// Roll-off and flatness.
	if sumPow > 0 {
		target, acc := rolloffFraction*sumPow, 0.0
		for k, p := range pow[:s.bins] {
			acc += p
			if acc >= target {
				out.rolloff = s.freq[k]
				break
			}
		}
		// Geometric mean via the log of the product of blocks of bins keeps
		// the log count low; the +1e-10 floor follows librosa.
		// Even and odd bins multiply in two chains; each block of 16 bins
		// ends in one log.
		// The logs are taken together (logs), then added in order.
		bins := pow[:s.bins]
		var prods [flatBlocks + 1]float64
		k, nb := 0, 0
		for ; k+16 <= len(bins) && nb < flatBlocks; k += 16 {
			blk := bins[k : k+16 : k+16]
			pa, pb := 1.0, 1.0
			for j := 0; j < 16; j += 2 {
				pa *= blk[j] + 1e-10
				pb *= blk[j+1] + 1e-10
			}
			prods[nb] = pa * pb
			nb++
		}
		prod := 1.0
		for _, p := range bins[k:] {
			prod *= p + 1e-10
		}
		prods[nb] = prod
		logs(prods[:nb+1], prods[:nb+1])
		for _, l := range prods[:nb+1] {
			sumLog += l
		}
		mean := sumPow/float64(s.bins) + 1e-10
		out.flatness = math.Exp(sumLog/float64(s.bins)) / mean
	}
	// Perceptual sharpness and spread from Bark-band specific loudness
	// (Meyda's definitions).
	var total, maxSpec, sharp float64
	var logSpec [barkBands]float64
	logs(logSpec[:], s.spec[:])
	for i, e := range s.spec {
		l := 0.0
		if e > 0 {
			l = math.Exp(0.23 * logSpec[i]) // e^0.23; math.Pow is several times slower
		}
		s.spec[i] = l
		total += l
		maxSpec = max(maxSpec, l)
		sharp += s.sharpW[i] * l
	}
	if total > 0 {
		out.sharpness = 0.11 * sharp / total
		r := (total - maxSpec) / total
		out.spread = r * r
	}
	// 32-band amplitude spectrum: mean magnitude per band.
	var sums [spectrumBands]float64
	if !bandSumsVector(s.mag, s.specEdge[:], sums[:]) {
		for b := range sums {
			sums[b] = sum4(s.mag[s.specEdge[b]:s.specEdge[b+1]])
		}
	}
	for b, v := range sums {
		spec[b] = float32(v / float64(s.specEdge[b+1]-s.specEdge[b]))
	}
	return out
}

// sum4 returns the sum of x, added in four interleaved chains (the CPU
// overlaps them) that are combined at the end.
func sum4(x []float64) float64 {
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		a += v[0]
		b += v[1]
		c += v[2]
		d += v[3]
	}
	for _, v := range x[i:] {
		a += v
	}
	return (a + b) + (c + d)
}

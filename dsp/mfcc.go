package dsp

import "math"

// Mel filterbank and MFCC settings.
const (
	melBands   = 40
	mfccCoeffs = 13
	melMinHz   = 0
	melMaxHz   = 11025 // capped at Nyquist for lower rates
)

// melFilter is one triangular mel filter: weights for bins lo..lo+len(w)-1.
type melFilter struct {
	lo int
	w  []float64
}

// mfcc computes log mel energies (also the onset detection input) and
// MFCCs: 40 triangular Slaney-style mel filters on the power spectrum, natural
// log, orthonormal DCT-II, 13 coefficients (coefficient 0 kept).
type mfcc struct {
	filters []melFilter
	dct     [mfccCoeffs][melBands]float64
	logMel  [melBands]float64 // natural log of mel energies of the last frame
}

func hzToMel(f float64) float64 { return 2595 * math.Log10(1+f/700) }
func melToHz(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }

func newMFCC(rate int) *mfcc {
	m := &mfcc{}
	bins := FrameSize/2 + 1
	top := min(float64(melMaxHz), float64(rate)/2)
	lo, hi := hzToMel(melMinHz), hzToMel(top)
	var edges [melBands + 2]float64
	for i := range edges {
		edges[i] = melToHz(lo + (hi-lo)*float64(i)/(melBands+1))
	}
	for b := range melBands {
		f0, f1, f2 := edges[b], edges[b+1], edges[b+2]
		var flt melFilter
		flt.lo = -1
		for k := range bins {
			f := float64(k) * float64(rate) / FrameSize
			w := 0.0
			if f > f0 && f < f2 {
				if f <= f1 {
					w = (f - f0) / (f1 - f0)
				} else {
					w = (f2 - f) / (f2 - f1)
				}
			}
			if w > 0 {
				if flt.lo < 0 {
					flt.lo = k
				}
				flt.w = append(flt.w, w*2/(f2-f0))
			} else if flt.lo >= 0 {
				break
			}
		}
		if flt.lo < 0 { // narrower than a bin: take the nearest bin
			flt.lo = min(bins-1, int(math.Round(f1*FrameSize/float64(rate))))
			flt.w = []float64{2 / (f2 - f0)}
		}
		m.filters = append(m.filters, flt)
	}
	for c := range mfccCoeffs {
		scale := math.Sqrt(2.0 / melBands)
		if c == 0 {
			scale = math.Sqrt(1.0 / melBands)
		}
		for b := range melBands {
			m.dct[c][b] = scale * math.Cos(math.Pi*float64(c)*(float64(b)+0.5)/melBands)
		}
	}
	return m
}

// compute fills logMel from the power spectrum and writes the MFCCs to out.
func (m *mfcc) compute(pow []float64, out *[mfccCoeffs]float32) {
	for b, f := range m.filters {
		var e float64
		for i, w := range f.w {
			e += w * pow[f.lo+i]
		}
		m.logMel[b] = e + 1e-10
	}
	logs(m.logMel[:], m.logMel[:])
	for c := range mfccCoeffs {
		var s float64
		for b, v := range m.logMel {
			s += m.dct[c][b] * v
		}
		out[c] = float32(s)
	}
}

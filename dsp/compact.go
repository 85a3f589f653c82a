package dsp

import (
	"math"
	"strconv"
)

// Half is a float32 stored in 2 bytes: its sign, its exponent and the top 7
// bits of its mantissa (bfloat16), rounded to nearest even. It keeps
// float32's range and about 3 significant digits (relative error ≤ 0.4 %).
// The two widest per-frame arrays, MFCC and the 32-band spectrum, are kept
// as Half: at 4 bytes a value they were 56 of the 74 MB an hour of audio
// holds, and no visual tells 0.4 % apart.
type Half uint16

// HalfOf rounds v to the nearest Half (NaN becomes 0).
func HalfOf(v float32) Half {
	b := math.Float32bits(v)
	if v != v {
		return 0
	}
	// Round to nearest, ties to even, on the 16 bits dropped; a carry
	// into the exponent is the correct rounding (up to ±Inf past the top).
	b += 0x7fff + (b>>16)&1
	return Half(b >> 16)
}

// Float32 returns the value.
func (h Half) Float32() float32 { return math.Float32frombits(uint32(h) << 16) }

// appendHalves writes the values as a JSON array of numbers with 4
// significant digits (enough to tell every Half apart); infinities are
// written as the largest finite float32 of their sign.
func appendHalves(b []byte, hs []Half) []byte {
	b = append(b, '[')
	for i, h := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		v := float64(h.Float32())
		switch {
		case v == 0:
			b = append(b, '0')
			continue
		case math.IsInf(v, 0):
			v = math.Copysign(math.MaxFloat32, v)
		}
		b = strconv.AppendFloat(b, v, 'g', 4, 32)
	}
	return append(b, ']')
}

// SpectrumFrame is one frame of Analysis.Spectrum: the 32 band amplitudes,
// written to JSON as an array of 32 numbers.
type SpectrumFrame [spectrumBands]Half

// MarshalJSON writes the frame as a JSON array of numbers.
func (f SpectrumFrame) MarshalJSON() ([]byte, error) {
	return appendHalves(make([]byte, 0, 8*spectrumBands), f[:]), nil
}

// MFCCFrame is one frame of Analysis.MFCC: the 13 coefficients, written to
// JSON as an array of 13 numbers.
type MFCCFrame [mfccCoeffs]Half

// MarshalJSON writes the frame as a JSON array of numbers.
func (f MFCCFrame) MarshalJSON() ([]byte, error) {
	return appendHalves(make([]byte, 0, 8*mfccCoeffs), f[:]), nil
}

// halves rounds every value of src into dst.
func halves(dst []Half, src []float32) {
	for i, v := range src[:len(dst)] {
		dst[i] = HalfOf(v)
	}
}

package dsp

import (
	"encoding/binary"
	"math"
)

// decoderFor returns the function converting little-endian samples of format
// f to float32. parseFmt has already rejected every other combination.
func decoderFor(f Format) func(dst []float32, src []byte) {
	switch {
	case f.Float && f.BitDepth == 32:
		return decodeF32
	case f.Float:
		return decodeF64
	case f.BitDepth == 8:
		return decodeU8
	case f.BitDepth == 16:
		return decodeS16
	case f.BitDepth == 24:
		return decodeS24
	default:
		return decodeS32
	}
}

// decodeU8 decodes unsigned 8-bit samples (128 is zero).
func decodeU8(dst []float32, src []byte) {
	src = src[:len(dst)]
	for i, b := range src {
		dst[i] = float32(int(b)-128) * (1.0 / 128)
	}
}

// decodeS16 decodes signed 16-bit samples, four at a time (one bounds
// check per four).
func decodeS16(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	// The vector version (when there is one) takes the first samples.
	n := decodeS16Vector(dst, src)
	dst, src = dst[n:], src[2*n:]
	const scale = 1.0 / (1 << 15)
	for len(dst) >= 4 {
		s, d := src[:8:8], dst[:4:4]
		d[0] = float32(int16(uint16(s[0])|uint16(s[1])<<8)) * scale
		d[1] = float32(int16(uint16(s[2])|uint16(s[3])<<8)) * scale
		d[2] = float32(int16(uint16(s[4])|uint16(s[5])<<8)) * scale
		d[3] = float32(int16(uint16(s[6])|uint16(s[7])<<8)) * scale
		src, dst = src[8:], dst[4:]
	}
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) * scale
	}
}

// decodeS24 decodes signed 24-bit packed samples.
func decodeS24(dst []float32, src []byte) {
	src = src[:3*len(dst)]
	for i := range dst {
		b := src[3*i : 3*i+3]
		v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
		dst[i] = float32(v) * (1.0 / (1 << 23))
	}
}

// decodeS32 decodes signed 32-bit samples.
func decodeS32(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	for i := range dst {
		dst[i] = float32(int32(binary.LittleEndian.Uint32(src[4*i:]))) * (1.0 / (1 << 31))
	}
}

// decodeF32 decodes IEEE float32 samples, clamped to [-1,1] (NaN → 0).
// Samples already in range (all of them, from ffmpeg) skip the clamp.
func decodeF32(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	for len(dst) > 0 {
		// The vector version (when there is one) copies samples in
		// [−1, 1], up to a group of eight with one outside; the loops
		// below clamp a run from there.
		n := decodeF32Vector(dst, src)
		dst, src = dst[n:], src[4*n:]
		k := min(len(dst), 64)
		decodeF32Go(dst[:k], src[:4*k])
		dst, src = dst[k:], src[4*k:]
	}
}

// decodeF32Go is decodeF32 in Go.
func decodeF32Go(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	for len(dst) >= 4 {
		s, d := src[:16:16], dst[:4:4]
		a := math.Float32frombits(binary.LittleEndian.Uint32(s[0:4]))
		b := math.Float32frombits(binary.LittleEndian.Uint32(s[4:8]))
		c := math.Float32frombits(binary.LittleEndian.Uint32(s[8:12]))
		e := math.Float32frombits(binary.LittleEndian.Uint32(s[12:16]))
		if !(a >= -1 && a <= 1 && b >= -1 && b <= 1 && c >= -1 && c <= 1 && e >= -1 && e <= 1) {
			a, b, c, e = clampUnit32(a), clampUnit32(b), clampUnit32(c), clampUnit32(e)
		}
		d[0], d[1], d[2], d[3] = a, b, c, e
		src, dst = src[16:], dst[4:]
	}
	for i := range dst {
		v := math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		if !(v >= -1 && v <= 1) {
			v = clampUnit(float64(v))
		}
		dst[i] = v
	}
}

// decodeF64 decodes IEEE float64 samples, clamped to [-1,1] (NaN → 0).
func decodeF64(dst []float32, src []byte) {
	src = src[:8*len(dst)]
	for i := range dst {
		dst[i] = clampUnit(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

// clampUnit32 is clampUnit for a float32 (exact: every float32 in [-1,1]
// is its own float64).
func clampUnit32(v float32) float32 {
	if v >= -1 && v <= 1 {
		return v
	}
	return clampUnit(float64(v))
}

// clampUnit clamps v to [-1,1]; NaN becomes 0 (±Inf clamp to ±1).
func clampUnit(v float64) float32 {
	switch {
	case v > 1:
		return 1
	case v < -1:
		return -1
	case v == v:
		return float32(v)
	default:
		return 0
	}
}

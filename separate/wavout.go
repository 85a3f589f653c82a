package separate

import (
	"encoding/binary"
	"math"
)

// wavHeaderSize is the size of a canonical PCM WAV header.
const wavHeaderSize = 44

// wavHeader returns the header of a 16-bit PCM WAV of frames frames (which
// maxFrames keeps within the 4 GiB of a RIFF file).
func wavHeader(rate, channels int, frames int64) []byte {
	le := binary.LittleEndian
	block := 2 * channels
	data := uint32(frames) * uint32(block)
	h := make([]byte, 0, wavHeaderSize)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, wavHeaderSize-8+data)
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)
	h = le.AppendUint16(h, 1) // PCM
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*block))
	h = le.AppendUint16(h, uint16(block))
	h = le.AppendUint16(h, 16)
	h = append(h, "data"...)
	return le.AppendUint32(h, data)
}

// appendPCM16 appends v as a little-endian 16-bit sample: scaled by 32768
// (the inverse of the decoder's scaling), rounded and clipped.
func appendPCM16(dst []byte, v float64) []byte {
	s := math.Round(v * 32768)
	s = max(-32768, min(32767, s))
	return binary.LittleEndian.AppendUint16(dst, uint16(int16(s)))
}

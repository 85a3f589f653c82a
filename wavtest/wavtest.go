// Package wavtest builds real WAV files in memory for tests of every layer
// that handles audio (decoder, workers, API).
package wavtest

import (
	"bytes"
	"encoding/binary"
	"math"
)

// Sine returns a 16-bit PCM WAV of a sine at amplitude amp (0..1) on every
// channel.
func Sine(rate, channels int, seconds, freq, amp float64) []byte {
	frames := int(seconds * float64(rate))
	samples := make([]int16, 0, frames*channels)
	for i := 0; i < frames; i++ {
		v := int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
		for range channels {
			samples = append(samples, v)
		}
	}
	return PCM16(rate, channels, samples)
}

// PCM16 wraps interleaved 16-bit samples in a canonical 44-byte WAV header.
func PCM16(rate, channels int, samples []int16) []byte {
	var buf bytes.Buffer
	dataSize := len(samples) * 2
	buf.WriteString("RIFF")
	le(&buf, uint32(36+dataSize))
	buf.WriteString("WAVEfmt ")
	le(&buf, uint32(16))
	le(&buf, uint16(1))
	le(&buf, uint16(channels))
	le(&buf, uint32(rate))
	le(&buf, uint32(rate*channels*2))
	le(&buf, uint16(channels*2))
	le(&buf, uint16(16))
	buf.WriteString("data")
	le(&buf, uint32(dataSize))
	le(&buf, samples)
	return buf.Bytes()
}

func le(buf *bytes.Buffer, v any) {
	_ = binary.Write(buf, binary.LittleEndian, v) // writes to a bytes.Buffer cannot fail
}

// Package wavtest builds real WAV files in memory for tests of every layer
// that handles audio (decoder, workers, API), with the one WAV writer of
// package dsp. (dsp's own tests build their files field by field instead, so
// that they may also build broken ones, and so this package can import dsp.)
package wavtest

import (
	"encoding/binary"
	"math"

	"phonoglyph/dsp"
)

// Sine returns a 16-bit PCM WAV of a sine at amplitude amp (0..1) on every
// channel.
func Sine(rate, channels int, seconds, freq, amp float64) []byte {
	frames := int64(seconds * float64(rate))
	out := dsp.WAVHeader(rate, channels, frames)
	for i := range frames {
		v := amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
		for range channels {
			out = dsp.AppendPCM16(out, v)
		}
	}
	return out
}

// PCM16 wraps interleaved 16-bit samples in a canonical 44-byte WAV header.
func PCM16(rate, channels int, samples []int16) []byte {
	out := dsp.WAVHeader(rate, channels, int64(len(samples)/channels))
	for _, s := range samples {
		out = binary.LittleEndian.AppendUint16(out, uint16(s))
	}
	return out
}

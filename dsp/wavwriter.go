package dsp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAVHeaderSize is the size of the canonical PCM header WAVHeader returns.
const WAVHeaderSize = 44

// MaxWAVFrames is how many 16-bit frames of channels channels a RIFF WAV
// holds: its chunk sizes are 32-bit, so the file stays within 4 GiB. RF64
// (a ds64 chunk carrying 64-bit sizes) is how this writer would grow past it;
// lengths are int64 throughout so callers would not change.
func MaxWAVFrames(channels int) int64 {
	return (math.MaxUint32 - WAVHeaderSize) / int64(2*channels)
}

// WAVHeader returns the header of a 16-bit PCM WAV of frames frames (within
// MaxWAVFrames) at rate Hz with channels interleaved channels.
func WAVHeader(rate, channels int, frames int64) []byte {
	le := binary.LittleEndian
	block := 2 * channels
	data := uint32(frames * int64(block))
	h := make([]byte, 0, WAVHeaderSize)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, WAVHeaderSize-8+data)
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

// AppendPCM16 appends v as a little-endian 16-bit sample: scaled by 32768,
// the inverse of this package's decoders, so a decoded 16-bit file written
// back is the same file; rounded and clipped to the int16 range.
func AppendPCM16(dst []byte, v float64) []byte {
	s := max(-32768, min(32767, math.Round(v*32768)))
	return binary.LittleEndian.AppendUint16(dst, uint16(int16(s)))
}

// WAVWriter streams interleaved samples into a 16-bit PCM WAV whose length
// is not known when it starts (a decoder's output): it leaves room for the
// header and writes it on Close, once the length is known.
type WAVWriter struct {
	w        io.WriteSeeker
	out      *bufio.Writer
	rate     int
	channels int
	samples  int64 // written so far, all channels
	buf      []byte
}

// NewWAVWriter starts a WAV at rate Hz with channels channels on w, which
// must seek back to where it started for Close to write the header.
func NewWAVWriter(w io.WriteSeeker, rate, channels int) (*WAVWriter, error) {
	if rate <= 0 || channels <= 0 || channels > math.MaxUint16/2 {
		return nil, fmt.Errorf("wav writer: %d Hz, %d channels", rate, channels)
	}
	if _, err := w.Write(make([]byte, WAVHeaderSize)); err != nil {
		return nil, err
	}
	return &WAVWriter{w: w, out: bufio.NewWriterSize(w, 1<<16), rate: rate, channels: channels}, nil
}

// errWAVTooLong wraps ErrInvalid: the input is too long for a RIFF WAV.
var errWAVTooLong = fmt.Errorf("%w: the audio is too long for a WAV file (4 GiB)", ErrInvalid)

// Write appends samples (interleaved, nominally within ±1). Beyond
// MaxWAVFrames it fails with an error wrapping ErrInvalid.
func (w *WAVWriter) Write(samples []float32) error {
	if w.samples+int64(len(samples)) > MaxWAVFrames(w.channels)*int64(w.channels) {
		return errWAVTooLong
	}
	w.buf = w.buf[:0]
	for _, v := range samples {
		w.buf = AppendPCM16(w.buf, float64(v))
	}
	w.samples += int64(len(samples))
	_, err := w.out.Write(w.buf)
	return err
}

// Close flushes the samples and writes the header. It does not close the
// underlying writer.
func (w *WAVWriter) Close() error {
	if w.samples%int64(w.channels) != 0 {
		return errors.New("wav writer: samples end in the middle of a frame")
	}
	if err := w.out.Flush(); err != nil {
		return err
	}
	if _, err := w.w.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := w.w.Write(WAVHeader(w.rate, w.channels, w.samples/int64(w.channels)))
	return err
}

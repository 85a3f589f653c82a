package dsp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAVHeaderSize is the size of the canonical PCM header WAVHeader and
// PCMHeader return for a file whose sizes fit 32 bits.
const WAVHeaderSize = 44

// RF64HeaderSize is the size of an RF64 header (EBU Tech 3306): the
// canonical header with a ds64 chunk after the form type. A streaming
// WAVWriter always writes this many bytes before its samples.
const RF64HeaderSize = WAVHeaderSize + ds64ChunkSize

// ds64ChunkSize is a ds64 chunk without a table (RIFF size, data size and
// sample count, 64 bits each, and the table length), its header included;
// a JUNK chunk of the same size reserves its place.
const (
	ds64BodySize  = 28
	ds64ChunkSize = 8 + ds64BodySize
)

// sizeUnknown32 is the 32-bit size field of an RF64 file: read the ds64
// chunk instead.
const sizeUnknown32 = 0xFFFFFFFF

// riffLimit is the largest RIFF chunk size (the file less its first 8
// bytes) a WAV header states in 32 bits; a larger file is written as RF64.
// 0xFFFFFFFF itself means "see ds64". A variable so that tests reach RF64
// without writing 4 GiB.
var riffLimit int64 = sizeUnknown32 - 1

// headerForm is the layout of a header this package writes.
type headerForm int

const (
	formRIFF     headerForm = iota // canonical 44-byte RIFF
	formRIFFJunk                   // RIFF with a JUNK chunk reserving a ds64's room
	formRF64                       // RF64 with its ds64 chunk
)

// WAVHeader returns the header of a 16-bit PCM WAV of frames frames at rate
// Hz with channels interleaved channels (PCMHeader).
func WAVHeader(rate, channels int, frames int64) []byte {
	return PCMHeader(rate, channels, 16, frames)
}

// PCMHeader returns the header of an integer PCM WAV of bits-bit samples
// (16 or 24) and frames frames: the canonical 44-byte RIFF header when its
// sizes fit 32 bits, else an RF64 header (RF64HeaderSize bytes) whose ds64
// chunk holds the 64-bit RIFF and data sizes and the sample count, with
// 0xFFFFFFFF in the 32-bit fields.
func PCMHeader(rate, channels, bits int, frames int64) []byte {
	form := formRIFF
	if WAVHeaderSize-8+frames*int64(channels*bits/8) > riffLimit {
		form = formRF64
	}
	return header(rate, channels, bits, frames, form)
}

// header writes the header of the given form.
func header(rate, channels, bits int, frames int64, form headerForm) []byte {
	le := binary.LittleEndian
	block := channels * bits / 8
	data := frames * int64(block)
	riff := WAVHeaderSize - 8 + data
	if form != formRIFF {
		riff += ds64ChunkSize
	}
	h := make([]byte, 0, RF64HeaderSize)
	if form == formRF64 {
		h = append(h, "RF64"...)
		h = le.AppendUint32(h, sizeUnknown32)
	} else {
		h = append(h, "RIFF"...)
		h = le.AppendUint32(h, uint32(riff))
	}
	h = append(h, "WAVE"...)
	switch form {
	case formRF64:
		h = append(h, "ds64"...)
		h = le.AppendUint32(h, ds64BodySize)
		h = le.AppendUint64(h, uint64(riff))
		h = le.AppendUint64(h, uint64(data))
		h = le.AppendUint64(h, uint64(frames)) // the sample count is per channel, as in a fact chunk
		h = le.AppendUint32(h, 0)              // no table of other chunk sizes
	case formRIFFJunk:
		h = append(h, "JUNK"...)
		h = le.AppendUint32(h, ds64BodySize)
		h = append(h, make([]byte, ds64BodySize)...)
	}
	h = append(h, "fmt "...)
	h = le.AppendUint32(h, 16)
	h = le.AppendUint16(h, tagPCM)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*block))
	h = le.AppendUint16(h, uint16(block))
	h = le.AppendUint16(h, uint16(bits))
	h = append(h, "data"...)
	if form == formRF64 {
		return le.AppendUint32(h, sizeUnknown32)
	}
	return le.AppendUint32(h, uint32(data))
}

// AppendPCM16 appends v as a little-endian 16-bit sample: scaled by 32768,
// the inverse of this package's decoders, so a decoded 16-bit file written
// back is the same file; rounded and clipped to the int16 range.
func AppendPCM16(dst []byte, v float64) []byte {
	s := max(-32768, min(32767, math.Round(v*32768)))
	return binary.LittleEndian.AppendUint16(dst, uint16(int16(s)))
}

// WAVWriter writes interleaved samples into an integer PCM WAV (16 or 24
// bits), RF64 when it outgrows 32-bit sizes.
type WAVWriter struct {
	w        io.WriteSeeker // nil when the length was declared up front
	out      *bufio.Writer
	rate     int
	channels int
	bits     int
	frames   int64 // declared; -1 when streaming
	samples  int64 // written so far, all channels
	buf      []byte
}

// NewWAVWriter streams a WAV of bits-bit samples (16 or 24) whose length is
// not known when it starts (a decoder's output) onto w: it reserves
// RF64HeaderSize bytes for the header, the room of the ds64 chunk held by a
// JUNK chunk as EBU Tech 3306 recommends, and writes the header on Close
// once the length is known — RIFF, or RF64 when the data outgrew 32-bit
// sizes. w must seek back to where it started.
func NewWAVWriter(w io.WriteSeeker, rate, channels, bits int) (*WAVWriter, error) {
	if err := checkWriterFormat(rate, channels, bits); err != nil {
		return nil, err
	}
	if _, err := w.Write(make([]byte, RF64HeaderSize)); err != nil {
		return nil, err
	}
	return &WAVWriter{w: w, out: bufio.NewWriterSize(w, 1<<16), rate: rate, channels: channels, bits: bits, frames: -1}, nil
}

// NewPCMWriter writes a WAV of bits-bit samples (16 or 24) and frames
// frames, a length known up front, onto w: the header (PCMHeader) first, so
// w need not seek. Close checks that exactly frames frames were written.
func NewPCMWriter(w io.Writer, rate, channels, bits int, frames int64) (*WAVWriter, error) {
	if err := checkWriterFormat(rate, channels, bits); err != nil {
		return nil, err
	}
	if frames < 0 {
		return nil, fmt.Errorf("wav writer: %d frames", frames)
	}
	out := bufio.NewWriterSize(w, 1<<16)
	if _, err := out.Write(PCMHeader(rate, channels, bits, frames)); err != nil {
		return nil, err
	}
	return &WAVWriter{out: out, rate: rate, channels: channels, bits: bits, frames: frames}, nil
}

func checkWriterFormat(rate, channels, bits int) error {
	if rate <= 0 || channels <= 0 || channels > math.MaxUint16/4 || (bits != 16 && bits != 24) {
		return fmt.Errorf("wav writer: %d Hz, %d channels, %d bits", rate, channels, bits)
	}
	return nil
}

// Write appends samples (interleaved, nominally within ±1), rounded and
// clipped to the writer's depth with the scaling of this package's
// decoders (2^(bits-1)), so a decoded file written back is the same file.
func (w *WAVWriter) Write(samples []float32) error {
	w.buf = w.buf[:0]
	full := float64(int64(1) << (w.bits - 1))
	for _, v := range samples {
		w.buf = w.appendInt(w.buf, int32(max(-full, min(full-1, math.Round(float64(v)*full)))))
	}
	return w.flushBuf(len(samples))
}

// WriteInts appends samples already quantised to the writer's depth
// (interleaved); values beyond it are clipped.
func (w *WAVWriter) WriteInts(samples []int32) error {
	w.buf = w.buf[:0]
	full := int32(1) << (w.bits - 1)
	for _, v := range samples {
		w.buf = w.appendInt(w.buf, max(-full, min(full-1, v)))
	}
	return w.flushBuf(len(samples))
}

func (w *WAVWriter) appendInt(dst []byte, v int32) []byte {
	if w.bits == 16 {
		return binary.LittleEndian.AppendUint16(dst, uint16(int16(v)))
	}
	return append(dst, byte(v), byte(v>>8), byte(v>>16))
}

func (w *WAVWriter) flushBuf(n int) error {
	if w.frames >= 0 && w.samples+int64(n) > w.frames*int64(w.channels) {
		return fmt.Errorf("wav writer: more than the %d frames declared", w.frames)
	}
	w.samples += int64(n)
	_, err := w.out.Write(w.buf)
	return err
}

// Close flushes the samples and, for a streaming writer, writes the header:
// RIFF with its JUNK chunk, or RF64 with the ds64 chunk in the JUNK's place.
// It does not close the underlying writer.
func (w *WAVWriter) Close() error {
	if w.samples%int64(w.channels) != 0 {
		return errors.New("wav writer: samples end in the middle of a frame")
	}
	frames := w.samples / int64(w.channels)
	if w.frames >= 0 && frames != w.frames {
		return fmt.Errorf("wav writer: %d frames written, %d declared", frames, w.frames)
	}
	if err := w.out.Flush(); err != nil || w.w == nil {
		return err
	}
	if _, err := w.w.Seek(0, io.SeekStart); err != nil {
		return err
	}
	form := formRIFFJunk
	if RF64HeaderSize-8+frames*int64(w.channels*w.bits/8) > riffLimit {
		form = formRF64
	}
	_, err := w.w.Write(header(w.rate, w.channels, w.bits, frames, form))
	return err
}

package dsp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// readBufFrames is how many frames WAVReader reads from its source at once.
const readBufFrames = 4096

// unknownDataSize values mark a data chunk whose length the writer did not
// know (streaming writers): the stream is read to EOF.
const (
	unknownDataSizeZero = 0
	unknownDataSizeMax  = 0xFFFFFFFF
)

// maxLimitFrames caps the frame limit so MaxSeconds·rate arithmetic cannot
// overflow.
const maxLimitFrames = 1 << 62

// Format describes a decoded stream.
type Format struct {
	SampleRate int
	Channels   int
	BitDepth   int  // 8,16,24,32,64
	Float      bool // IEEE float samples
	// Frames is the length declared by the header (for ffmpeg-decoded
	// streams, the container's duration: an estimate), -1 when unknown
	// (data size 0 or 0xFFFFFFFF streaming WAVs, Ogg, most MP3s). It only
	// sizes reservations; decoders deliver what the stream holds.
	Frames int64
	// SourceRate is the file's own rate when the stream was resampled
	// (by Resample, or by ffmpeg for OpenForAnalysis); 0 otherwise.
	SourceRate int
}

// WAVReader streams frames from a WAV file. It reads the data chunk only: it
// stops at the end of the declared data and never reads the chunks after it.
type WAVReader struct {
	r         io.Reader
	format    Format
	decode    func(dst []float32, src []byte)
	block     int     // bytes per frame
	buf       []byte  // readBufFrames whole frames
	read      int64   // frames delivered so far
	maxFrames int64   // MaxSeconds·SampleRate, checked on unknown-size streams
	maxSecs   float64 // MaxSeconds, for messages
	what      string  // what the stream is, for messages ("WAV")
	err       error   // sticky; returned once the samples read before it are delivered
}

// NewWAVReader parses the RIFF/WAVE header of r up to the start of the data
// chunk: it reads the fmt chunk, skips unknown chunks (with their pad byte)
// and checks the declared duration against lim before any sample is decoded.
// RF64 files (EBU Tech 3306, and BW64 of ITU-R BS.2088, its twin) are read
// too: their ds64 chunk, first after the form type, gives the 64-bit sizes
// that their 32-bit fields mark with 0xFFFFFFFF. Errors caused by the input
// wrap ErrInvalid; errors of r itself are returned wrapped as they are.
func NewWAVReader(r io.Reader, lim Limits) (*WAVReader, error) {
	lim = lim.withDefaults()
	var riff [12]byte
	n, err := io.ReadFull(r, riff[:])
	form := string(riff[:min(n, 4)])
	switch {
	case err != nil && !isEOF(err):
		return nil, fmt.Errorf("reading WAV header: %w", err)
	case n == 0:
		return nil, invalid("not a WAV file: the file is empty")
	case form == "RIFX":
		return nil, invalid("unsupported WAV variant RIFX: only little-endian RIFF and RF64 WAVE files are decoded")
	case form != "RIFF" && form != "RF64" && form != "BW64":
		return nil, invalid("not a WAV file: missing RIFF header")
	case n < 12 || string(riff[8:]) != "WAVE":
		return nil, invalid("not a WAV file: the RIFF form type is not WAVE")
	}

	var (
		format     Format
		blockAlign int
		haveFmt    bool
		ds64       *ds64Sizes // RF64 only
	)
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if !isEOF(err) {
				return nil, fmt.Errorf("reading WAV header: %w", err)
			}
			if !haveFmt {
				return nil, invalid("WAV file has no fmt chunk")
			}
			return nil, invalid("WAV file has no data chunk")
		}
		id := string(hdr[:4])
		size32 := binary.LittleEndian.Uint32(hdr[4:])
		size := int64(size32)
		switch {
		case form != "RIFF" && ds64 == nil:
			if id != "ds64" {
				return nil, invalid("%s file has no ds64 chunk first (found %q)", form, id)
			}
			if ds64, err = readDS64(r, size32); err != nil {
				return nil, err
			}
			continue
		case ds64 != nil && size32 == sizeUnknown32 && id == "data":
			size = ds64.data
		case ds64 != nil && size32 == sizeUnknown32:
			if s, ok := ds64.table[id]; ok {
				size = s
			}
		case size32 == unknownDataSizeZero || size32 == unknownDataSizeMax:
			if id == "data" {
				size = -1
			}
		}
		switch id {
		case "fmt ":
			if haveFmt {
				return nil, invalid("WAV file has more than one fmt chunk")
			}
			if format, blockAlign, err = readFmt(r, size32, lim); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, invalid("WAV file has no fmt chunk before its data chunk")
			}
			return newWAVReader(r, format, blockAlign, size, lim)
		default:
			if err := skip(r, size+size&1); err != nil {
				if isEOF(err) {
					return nil, invalid("WAV file has no data chunk (it ends inside a %q chunk)", id)
				}
				return nil, fmt.Errorf("reading WAV header: %w", err)
			}
		}
	}
}

// ds64Sizes are what an RF64 file's ds64 chunk says: the data chunk's size
// (-1 when not filled in, as a writer that could not seek leaves it) and
// the sizes of other chunks larger than 32 bits.
type ds64Sizes struct {
	data  int64
	table map[string]int64
}

// maxDS64Table bounds the ds64 table entries kept; one per oversized chunk
// is all a writer needs.
const maxDS64Table = 16

// readDS64 reads a ds64 chunk of the declared size (with its pad byte).
func readDS64(r io.Reader, size uint32) (*ds64Sizes, error) {
	if size < 24 {
		return nil, invalid("RF64 ds64 chunk is %d bytes; at least 24 are required", size)
	}
	body := make([]byte, min(size, ds64BodySize+12*maxDS64Table))
	_, err := io.ReadFull(r, body)
	if err == nil {
		err = skip(r, int64(size)-int64(len(body))+int64(size&1))
	}
	if err != nil {
		if isEOF(err) {
			return nil, invalid("RF64 file is truncated inside its ds64 chunk")
		}
		return nil, fmt.Errorf("reading WAV header: %w", err)
	}
	le := binary.LittleEndian
	d := &ds64Sizes{data: -1, table: map[string]int64{}}
	if v := le.Uint64(body[8:]); v != 0 && v <= math.MaxInt64 {
		d.data = int64(v)
	}
	if len(body) >= ds64BodySize {
		for i, e := 0, body[ds64BodySize:]; i < int(le.Uint32(body[24:])) && len(e) >= 12; i, e = i+1, e[12:] {
			if v := le.Uint64(e[4:]); v <= math.MaxInt64 {
				d.table[string(e[:4])] = int64(v)
			}
		}
	}
	return d, nil
}

// readFmt reads a fmt chunk of the declared size: at most maxFmtRead bytes
// are kept, the rest and the pad byte are skipped.
func readFmt(r io.Reader, size uint32, lim Limits) (Format, int, error) {
	if size < 16 {
		return Format{}, 0, invalid("WAV fmt chunk is %d bytes; at least 16 are required", size)
	}
	var buf [maxFmtRead]byte
	keep := min(int64(size), maxFmtRead)
	_, err := io.ReadFull(r, buf[:keep])
	if err == nil {
		err = skip(r, int64(size)-keep+int64(size&1))
	}
	if err != nil {
		if isEOF(err) {
			return Format{}, 0, invalid("WAV file is truncated inside its fmt chunk")
		}
		return Format{}, 0, fmt.Errorf("reading WAV header: %w", err)
	}
	return parseFmt(buf[:keep], lim)
}

// newWAVReader prepares decoding of a data chunk of the given declared size
// (-1 when unknown).
func newWAVReader(r io.Reader, f Format, blockAlign int, size int64, lim Limits) (*WAVReader, error) {
	limit := lim.MaxSeconds * float64(f.SampleRate)
	maxFrames := int64(maxLimitFrames)
	if limit < maxLimitFrames {
		maxFrames = int64(limit)
	}
	f.Frames = -1
	if size >= 0 {
		f.Frames = size / int64(blockAlign)
		if f.Frames > maxFrames {
			return nil, invalid("WAV header declares %.1f s of audio; the limit is %g s",
				float64(f.Frames)/float64(f.SampleRate), lim.MaxSeconds)
		}
	}
	w := &WAVReader{
		r:         r,
		format:    f,
		decode:    decoderFor(f),
		block:     blockAlign,
		buf:       make([]byte, readBufFrames*blockAlign),
		maxFrames: maxFrames,
		maxSecs:   lim.MaxSeconds,
		what:      "WAV",
	}
	return w, nil
}

// Format returns the format of the stream.
func (w *WAVReader) Format() Format { return w.format }

// Read fills dst with interleaved float32 samples in [-1,1] (len(dst) should
// be a multiple of Channels; only whole frames are written) and returns the
// number of samples written; io.EOF at the end. Unlike a plain io.Reader, Read
// never returns samples together with an error: an error found while reading
// is returned by the next call, after the samples before it.
//
// Integer samples are scaled by 1/2^(bits-1) (8-bit is unsigned, offset 128);
// float samples are clamped to [-1,1], NaN reads as 0. A data chunk shorter
// than the header declares is an ErrInvalid "truncated" error naming how many
// frames were expected and found; a trailing partial frame is dropped. For
// streams of unknown length, decoding more than Limits.MaxSeconds is an
// ErrInvalid error. len(dst) shorter than one frame is io.ErrShortBuffer.
func (w *WAVReader) Read(dst []float32) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	ch := w.format.Channels
	want := int64(len(dst) / ch)
	if want == 0 {
		if len(dst) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	want = min(want, readBufFrames)
	known := w.format.Frames >= 0
	if known {
		want = min(want, w.format.Frames-w.read)
		if want == 0 {
			w.err = io.EOF
			return 0, w.err
		}
	} else {
		// One frame past the limit is enough to tell it was exceeded.
		want = min(want, w.maxFrames-w.read+1)
	}

	n, err := io.ReadFull(w.r, w.buf[:want*int64(w.block)])
	got := n / w.block
	w.decode(dst[:got*ch], w.buf[:got*w.block])
	w.read += int64(got)
	switch {
	case err == nil:
	case !isEOF(err):
		w.err = fmt.Errorf("reading WAV data: %w", err)
	case known:
		w.err = invalid("WAV file is truncated: header declares %d frames, found %d", w.format.Frames, w.read)
	default:
		w.err = io.EOF
	}
	if !known && w.read > w.maxFrames {
		w.err = invalid("%s audio is longer than the %g s limit", w.what, w.maxSecs)
		return 0, w.err
	}
	if got == 0 {
		return 0, w.err
	}
	return got * ch, nil
}

// skip discards n bytes of r without buffering them.
func skip(r io.Reader, n int64) error {
	_, err := io.CopyN(io.Discard, r, n)
	return err
}

// isEOF reports whether err means the input ended early.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

package dsp

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/jfreymuth/oggvorbis"
)

// oggDecoder adapts jfreymuth/oggvorbis to Decoder.
type oggDecoder struct {
	r      *oggvorbis.Reader
	format Format
	err    error // returned after the samples read with it
}

// maxEmptyReads bounds consecutive reads that decode nothing (a stream of
// empty packets) before the input is rejected.
const maxEmptyReads = 1 << 16

// newOggDecoder decodes r; frames is the stream's length from its last page
// (oggLength), -1 when unknown.
func newOggDecoder(r io.Reader, lim Limits, frames int64) (*oggDecoder, error) {
	or, err := oggvorbis.NewReader(r)
	if err != nil {
		return nil, invalid("Ogg Vorbis: %v", err)
	}
	f := Format{SampleRate: or.SampleRate(), Channels: or.Channels(), BitDepth: 32, Float: true, Frames: -1}
	if frames > 0 {
		// Only sizes Analyze's reservations (a lying page costs at most
		// the limit's worth of untouched capacity); the decoder's guard
		// still stops at the limit.
		f.Frames = min(frames, int64(lim.MaxSeconds*float64(f.SampleRate)))
	}
	if err := checkFormat(f, lim); err != nil {
		return nil, err
	}
	return &oggDecoder{r: or, format: f}, nil
}

func (d *oggDecoder) Format() Format { return d.format }

func (d *oggDecoder) Read(dst []float32) (int, error) {
	ch := d.format.Channels
	for range maxEmptyReads {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(dst[:len(dst)/ch*ch])
		n -= n % ch
		if err != nil {
			d.err = io.EOF
			if err != io.EOF {
				d.err = invalid("Ogg Vorbis: %v", err)
			}
		}
		if n > 0 {
			return n, nil
		}
	}
	d.err = invalid("Ogg Vorbis: %d packets in a row decoded to nothing", maxEmptyReads)
	return 0, d.err
}

// oggTail is how many bytes at the end of an Ogg file oggLength searches for
// the last page (a page is at most 65,307 bytes).
const oggTail = 1 << 17

// oggLength returns the granule position of the last page of the first
// logical stream (for Vorbis: the stream's length in sample frames) when r
// can seek, or -1. head is the start of the file, which names the stream;
// r is left where it was.
func oggLength(r io.Reader, head []byte) int64 {
	rs, ok := r.(io.ReadSeeker)
	if !ok || len(head) < 27 {
		return -1
	}
	serial := binary.LittleEndian.Uint32(head[14:18])
	here, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	defer rs.Seek(here, io.SeekStart)
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return -1
	}
	start := max(0, end-oggTail)
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return -1
	}
	tail, err := io.ReadAll(io.LimitReader(rs, oggTail))
	if err != nil {
		return -1
	}
	for i := len(tail); i > 0; {
		i = bytes.LastIndex(tail[:i], []byte("OggS"))
		if i < 0 {
			return -1
		}
		if i+27 > len(tail) {
			continue
		}
		p := tail[i:]
		// A granule of -1 marks a page on which no packet ends.
		if g := int64(binary.LittleEndian.Uint64(p[6:14])); p[4] == 0 && g >= 0 &&
			binary.LittleEndian.Uint32(p[14:18]) == serial {
			return g
		}
	}
	return -1
}

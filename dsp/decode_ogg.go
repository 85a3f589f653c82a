package dsp

import (
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

func newOggDecoder(r io.Reader, lim Limits) (*oggDecoder, error) {
	or, err := oggvorbis.NewReader(r)
	if err != nil {
		return nil, invalid("Ogg Vorbis: %v", err)
	}
	f := Format{SampleRate: or.SampleRate(), Channels: or.Channels(), BitDepth: 32, Float: true, Frames: -1}
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

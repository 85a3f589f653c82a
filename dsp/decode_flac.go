package dsp

import (
	"io"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
)

// flacDecoder adapts mewkiz/flac to Decoder, one FLAC frame at a time.
type flacDecoder struct {
	s      *flac.Stream
	format Format
	cur    *frame.Frame
	pos    int // next sample index within cur
	scale  float32
}

func newFLACDecoder(r io.Reader, lim Limits) (*flacDecoder, error) {
	s, err := flac.New(r)
	if err != nil {
		return nil, invalid("FLAC: %v", err)
	}
	info := s.Info
	if info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		return nil, invalid("FLAC: %d bits per sample", info.BitsPerSample)
	}
	f := Format{SampleRate: int(info.SampleRate), Channels: int(info.NChannels), BitDepth: int(info.BitsPerSample), Frames: -1}
	if err := checkFormat(f, lim); err != nil {
		return nil, err
	}
	if info.NSamples > 0 {
		if float64(info.NSamples) > lim.MaxSeconds*float64(f.SampleRate) {
			return nil, invalid("FLAC header declares %.1f s of audio; the limit is %g s",
				float64(info.NSamples)/float64(f.SampleRate), lim.MaxSeconds)
		}
		f.Frames = int64(info.NSamples)
	}
	return &flacDecoder{s: s, format: f, scale: 1 / float32(int64(1)<<(info.BitsPerSample-1))}, nil
}

func (d *flacDecoder) Format() Format { return d.format }

func (d *flacDecoder) Read(dst []float32) (int, error) {
	for d.cur == nil || d.pos >= int(d.cur.BlockSize) {
		fr, err := d.s.ParseNext()
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, invalid("FLAC: %v", err)
		}
		if len(fr.Subframes) != d.format.Channels {
			return 0, invalid("FLAC frame has %d channels; the stream has %d", len(fr.Subframes), d.format.Channels)
		}
		for _, sf := range fr.Subframes {
			if len(sf.Samples) < int(fr.BlockSize) {
				return 0, invalid("FLAC subframe is shorter than its block")
			}
		}
		d.cur, d.pos = fr, 0
	}
	ch := d.format.Channels
	n := min(len(dst)/ch, int(d.cur.BlockSize)-d.pos)
	for c, sf := range d.cur.Subframes {
		s := sf.Samples[d.pos : d.pos+n]
		for i, v := range s {
			dst[i*ch+c] = float32(v) * d.scale
		}
	}
	d.pos += n
	return n * ch, nil
}

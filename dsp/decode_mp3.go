package dsp

import (
	"encoding/binary"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// mp3Decoder adapts go-mp3, which always produces 16-bit stereo, to Decoder;
// mono files (channel mode 3 in the first frame header) are delivered as one
// channel so loudness matches other tools.
//
// Like ffmpeg (and every gapless player), it drops what the encoder added:
// go-mp3 decodes a Xing/Info/VBRI tag frame as a frame of silence, and LAME's
// tag records the encoder delay and padding (plus the 529-sample decoder
// delay). Without the trim a LAME file starts 2257 samples (51 ms at 44.1 kHz)
// late, which moves every hit against the 400 ms loudness blocks and, on
// periodic material, changes the gated integrated loudness by up to 0.6 LU.
type mp3Decoder struct {
	d      *mp3.Decoder
	format Format
	buf    []byte
	trim   mp3Trim
	pos    int64 // go-mp3 output frames consumed so far
}

// mp3Trim is the part of go-mp3's output that is audio: frames [skip, end)
// of its output; end < 0 means up to the end of the stream.
type mp3Trim struct{ skip, end int64 }

// mp3DecoderDelay is the MP3 synthesis filterbank's delay in samples
// (528 + 1, as LAME and ffmpeg count it).
const mp3DecoderDelay = 529

// newMP3Decoder opens an MP3 stream; head is its first bytes, used to read
// the channel mode of the first frame and its Xing/LAME tag.
func newMP3Decoder(r io.Reader, head []byte, lim Limits) (*mp3Decoder, error) {
	d, err := mp3.NewDecoder(r)
	if err != nil {
		return nil, invalid("MP3: %v", err)
	}
	ch := 2
	off := 0
	if len(head) >= 3 && string(head[:3]) == "ID3" {
		off = id3Size(head)
	}
	trim := mp3Trim{end: -1}
	if mpegAt(head, off) == kindMP3 {
		if head[off+3]>>6 == 3 {
			ch = 1
		}
		trim = mp3Gapless(head[off:])
	}
	f := Format{SampleRate: d.SampleRate(), Channels: ch, BitDepth: 16, Frames: -1}
	if n := trim.end - trim.skip; trim.end >= 0 && float64(n) <= lim.MaxSeconds*float64(f.SampleRate) {
		// The Xing tag's frame count, believed only within the limit: it
		// sizes reservations.
		f.Frames = n
	}
	if err := checkFormat(f, lim); err != nil {
		return nil, err
	}
	return &mp3Decoder{d: d, format: f, buf: make([]byte, readBufFrames*4), trim: trim}, nil
}

// mp3Gapless reads the Xing/Info (or VBRI) tag of the first frame, b[0:],
// as ffmpeg's mp3 demuxer does: the tag frame itself is not audio, and a
// LAME (or Lavc/Lavf) extension gives the encoder delay and padding, to which
// the decoder delay is added at the start and from which it is subtracted at
// the end.
func mp3Gapless(b []byte) mp3Trim {
	t := mp3Trim{end: -1}
	if len(b) < 4 {
		return t
	}
	mpeg1 := b[1]&0x18 == 0x18
	mono := b[3]>>6 == 3
	spf, side := int64(1152), 32
	switch {
	case mpeg1 && mono:
		side = 17
	case !mpeg1 && !mono:
		spf, side = 576, 17
	case !mpeg1 && mono:
		spf, side = 576, 9
	}
	has := func(off int, s string) bool { return len(b) >= off+len(s) && string(b[off:off+len(s)]) == s }
	if has(4+32, "VBRI") {
		t.skip = spf
		return t
	}
	p := 4 + side
	if !has(p, "Xing") && !has(p, "Info") {
		return t
	}
	t.skip = spf
	if len(b) < p+8 {
		return t
	}
	flags := binary.BigEndian.Uint32(b[p+4:])
	p += 8
	var frames int64 = -1
	if flags&1 != 0 {
		if len(b) < p+4 {
			return t
		}
		frames = int64(binary.BigEndian.Uint32(b[p:]))
		p += 4
	}
	if flags&2 != 0 { // stream bytes
		p += 4
	}
	if flags&4 != 0 { // seek table
		p += 100
	}
	if flags&8 != 0 { // quality
		p += 4
	}
	// LAME extension: 9-byte encoder version, then 12 bytes of flags,
	// lowpass and ReplayGain, then 12 bits of delay and 12 of padding.
	if len(b) < p+24 || !(has(p, "LAME") || has(p, "Lavc") || has(p, "Lavf")) {
		return t
	}
	v := int64(b[p+21])<<16 | int64(b[p+22])<<8 | int64(b[p+23])
	delay, pad := v>>12, v&0xfff
	t.skip = spf + delay + mp3DecoderDelay
	if frames > 0 {
		t.end = spf + frames*spf - pad + mp3DecoderDelay
		if t.end < t.skip {
			t.end = t.skip
		}
	}
	return t
}

func (m *mp3Decoder) Format() Format { return m.format }

func (m *mp3Decoder) Read(dst []float32) (int, error) {
	ch := m.format.Channels
	for {
		if m.trim.end >= 0 && m.pos >= m.trim.end {
			return 0, io.EOF
		}
		frames := int64(min(len(dst)/ch, readBufFrames))
		if m.trim.end >= 0 {
			frames = min(frames, m.trim.end-m.pos)
		}
		n, err := io.ReadFull(m.d, m.buf[:frames*4])
		got := int64(n / 4)
		// Drop the frames before trim.skip.
		first := min(max(m.trim.skip-m.pos, 0), got)
		m.pos += got
		out := 0
		for i := first; i < got; i++ {
			l := float32(int16(binary.LittleEndian.Uint16(m.buf[4*i:]))) * (1.0 / (1 << 15))
			if ch == 1 {
				dst[out] = l
				out++
				continue
			}
			dst[out] = l
			dst[out+1] = float32(int16(binary.LittleEndian.Uint16(m.buf[4*i+2:]))) * (1.0 / (1 << 15))
			out += 2
		}
		if isEOF(err) {
			err = io.EOF
		}
		if out > 0 || err != nil {
			if out > 0 && err == io.EOF {
				// Samples now, io.EOF on the next call.
				return out, nil
			}
			return out, err
		}
	}
}

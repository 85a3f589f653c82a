package dsp

import (
	"encoding/binary"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// mp3Decoder adapts go-mp3, which always produces 16-bit stereo, to Decoder;
// mono files (channel mode 3 in the first frame header) are delivered as one
// channel so loudness matches other tools.
type mp3Decoder struct {
	d      *mp3.Decoder
	format Format
	buf    []byte
}

// newMP3Decoder opens an MP3 stream; head is its first bytes, used to read
// the channel mode of the first frame.
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
	if mpegAt(head, off) == kindMP3 && head[off+3]>>6 == 3 {
		ch = 1
	}
	f := Format{SampleRate: d.SampleRate(), Channels: ch, BitDepth: 16, Frames: -1}
	if err := checkFormat(f, lim); err != nil {
		return nil, err
	}
	return &mp3Decoder{d: d, format: f, buf: make([]byte, readBufFrames*4)}, nil
}

func (m *mp3Decoder) Format() Format { return m.format }

func (m *mp3Decoder) Read(dst []float32) (int, error) {
	frames := min(len(dst)/m.format.Channels, readBufFrames)
	n, err := io.ReadFull(m.d, m.buf[:frames*4])
	got := n / 4
	for i := range got {
		l := float32(int16(binary.LittleEndian.Uint16(m.buf[4*i:]))) * (1.0 / (1 << 15))
		if m.format.Channels == 1 {
			dst[i] = l
			continue
		}
		dst[2*i] = l
		dst[2*i+1] = float32(int16(binary.LittleEndian.Uint16(m.buf[4*i+2:]))) * (1.0 / (1 << 15))
	}
	if isEOF(err) {
		err = io.EOF
	}
	return got * m.format.Channels, err
}

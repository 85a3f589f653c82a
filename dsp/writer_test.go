package dsp

import (
	"bytes"
	"encoding/binary"
	"math"
)

// testChunk is a RIFF chunk written verbatim (a pad byte is added after an
// odd-sized body).
type testChunk struct {
	id   string
	body []byte
}

// testWAV assembles a WAV file field by field, so tests can build valid files
// of every format and broken ones.
type testWAV struct {
	tag        uint16 // fmt format tag; tagExtensible wraps subformat
	subformat  uint16 // subformat tag when tag is tagExtensible
	channels   int
	rate       int
	bits       int
	blockAlign int         // 0: channels·bits/8
	fmtSize    int         // 0: 16, or 40 when extensible; larger sizes are zero-padded
	before     []testChunk // chunks written between fmt and data
	data       []byte
	dataSize   int64 // -1: len(data); otherwise written verbatim as uint32
	noFmt      bool
}

func (t testWAV) bytes() []byte {
	le := binary.LittleEndian
	align := t.blockAlign
	if align == 0 {
		align = t.channels * t.bits / 8
	}
	fmtBody := le.AppendUint16(nil, t.tag)
	fmtBody = le.AppendUint16(fmtBody, uint16(t.channels))
	fmtBody = le.AppendUint32(fmtBody, uint32(t.rate))
	fmtBody = le.AppendUint32(fmtBody, uint32(t.rate*align))
	fmtBody = le.AppendUint16(fmtBody, uint16(align))
	fmtBody = le.AppendUint16(fmtBody, uint16(t.bits))
	if t.tag == tagExtensible {
		fmtBody = le.AppendUint16(fmtBody, 22)             // cbSize
		fmtBody = le.AppendUint16(fmtBody, uint16(t.bits)) // valid bits
		fmtBody = le.AppendUint32(fmtBody, 0)              // channel mask
		fmtBody = le.AppendUint16(fmtBody, t.subformat)    // GUID
		fmtBody = append(fmtBody, guidSuffix...)
	}
	if t.fmtSize > len(fmtBody) {
		fmtBody = append(fmtBody, make([]byte, t.fmtSize-len(fmtBody))...)
	} else if t.fmtSize > 0 {
		fmtBody = fmtBody[:t.fmtSize]
	}

	var body bytes.Buffer
	body.WriteString("WAVE")
	if !t.noFmt {
		writeChunk(&body, "fmt ", fmtBody)
	}
	for _, c := range t.before {
		writeChunk(&body, c.id, c.body)
	}
	size := uint32(len(t.data))
	if t.dataSize >= 0 {
		size = uint32(t.dataSize)
	}
	body.WriteString("data")
	body.Write(le.AppendUint32(nil, size))
	body.Write(t.data)

	out := []byte("RIFF")
	out = le.AppendUint32(out, uint32(body.Len()))
	return append(out, body.Bytes()...)
}

func writeChunk(buf *bytes.Buffer, id string, body []byte) {
	buf.WriteString(id)
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(body))))
	buf.Write(body)
	if len(body)%2 == 1 {
		buf.WriteByte(0)
	}
}

// pcmWAV returns a valid WAV holding already-encoded samples.
func pcmWAV(tag uint16, bits, channels, rate int, data []byte) []byte {
	return testWAV{tag: tag, channels: channels, rate: rate, bits: bits, data: data, dataSize: -1}.bytes()
}

func encU8(v ...uint8) []byte { return v }

func encS16(v ...int16) []byte {
	var out []byte
	for _, s := range v {
		out = binary.LittleEndian.AppendUint16(out, uint16(s))
	}
	return out
}

func encS24(v ...int32) []byte {
	var out []byte
	for _, s := range v {
		out = append(out, byte(s), byte(s>>8), byte(s>>16))
	}
	return out
}

func encS32(v ...int32) []byte {
	var out []byte
	for _, s := range v {
		out = binary.LittleEndian.AppendUint32(out, uint32(s))
	}
	return out
}

func encF32(v ...float32) []byte {
	var out []byte
	for _, s := range v {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(s))
	}
	return out
}

func encF64(v ...float64) []byte {
	var out []byte
	for _, s := range v {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(s))
	}
	return out
}

// sine16 returns n frames of a 16-bit sine at amplitude amp (0..1) on every
// channel, starting at phase 0.
func sine16(n, channels, rate int, freq, amp float64) []byte {
	out := make([]byte, 0, 2*n*channels)
	for i := range n {
		v := uint16(int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))))
		for range channels {
			out = binary.LittleEndian.AppendUint16(out, v)
		}
	}
	return out
}

package dsp

import (
	"bytes"
	"encoding/binary"
)

// WAV format tags this package decodes, and the extensible wrapper.
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagExtensible = 0xFFFE
)

// Sample rates accepted from a header, in Hz.
const (
	minSampleRate = 8000
	maxSampleRate = 192000
)

// maxFmtRead is how many bytes of a fmt chunk are read; the rest is skipped.
// WAVE_FORMAT_EXTENSIBLE needs 40.
const maxFmtRead = 64

// guidSuffix is bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID
// (xxxx0000-0000-0010-8000-00aa00389b71); bytes 0..1 hold the format tag.
var guidSuffix = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// tagNames names common format tags this package does not decode, for error
// messages.
var tagNames = map[uint16]string{
	0x0002: "Microsoft ADPCM",
	0x0006: "A-law",
	0x0007: "µ-law",
	0x0011: "IMA ADPCM",
	0x0031: "GSM 6.10",
	0x0050: "MPEG",
	0x0055: "MPEG Layer 3",
	0x00FF: "AAC",
	0xF1AC: "FLAC",
}

// parseFmt validates the first bytes of a fmt chunk (at least 16) and returns
// the stream format (Frames unset) and the block align in bytes.
func parseFmt(b []byte, lim Limits) (Format, int, error) {
	le := binary.LittleEndian
	tag := le.Uint16(b[0:])
	channels := int(le.Uint16(b[2:]))
	rate := le.Uint32(b[4:])
	blockAlign := int(le.Uint16(b[12:]))
	bits := int(le.Uint16(b[14:]))

	where := ""
	if tag == tagExtensible {
		if len(b) < 40 {
			return Format{}, 0, invalid("WAVE_FORMAT_EXTENSIBLE fmt chunk is %d bytes; 40 are required", len(b))
		}
		guid := b[24:40]
		if !bytes.Equal(guid[2:], guidSuffix) {
			return Format{}, 0, invalid("unsupported WAVE_FORMAT_EXTENSIBLE subformat GUID %x", guid)
		}
		tag = le.Uint16(guid)
		where = " inside WAVE_FORMAT_EXTENSIBLE"
	}

	var float bool
	switch tag {
	case tagPCM:
		if bits != 8 && bits != 16 && bits != 24 && bits != 32 {
			return Format{}, 0, invalid("unsupported %d-bit integer PCM WAV (8, 16, 24 and 32 are supported)", bits)
		}
	case tagFloat:
		if bits != 32 && bits != 64 {
			return Format{}, 0, invalid("unsupported %d-bit float WAV (32 and 64 are supported)", bits)
		}
		float = true
	default:
		name := ""
		if n, ok := tagNames[tag]; ok {
			name = " (" + n + ")"
		}
		return Format{}, 0, invalid("unsupported WAV format tag 0x%04X%s%s: only PCM and IEEE float are decoded", tag, name, where)
	}

	if channels == 0 {
		return Format{}, 0, invalid("WAV file declares 0 channels")
	}
	if channels > lim.MaxChannels {
		return Format{}, 0, invalid("WAV file has %d channels; at most %d are allowed", channels, lim.MaxChannels)
	}
	if rate < minSampleRate || rate > maxSampleRate {
		return Format{}, 0, invalid("WAV sample rate %d Hz is outside %d–%d Hz", rate, minSampleRate, maxSampleRate)
	}
	if want := channels * bits / 8; blockAlign != want {
		return Format{}, 0, invalid("WAV block align is %d bytes; %d channels of %d-bit samples need %d", blockAlign, channels, bits, want)
	}
	return Format{SampleRate: int(rate), Channels: channels, BitDepth: bits, Float: float}, blockAlign, nil
}

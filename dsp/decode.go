package dsp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Decoder is a stream of interleaved float32 sample frames in [-1,1].
//
// Read follows WAVReader.Read: it writes whole frames only, returns the
// number of samples written, never returns samples together with an error,
// and returns io.EOF at the end. Errors caused by the input wrap ErrInvalid.
type Decoder interface {
	Format() Format
	Read(dst []float32) (int, error)
}

// sniffSize is how many bytes Open peeks at to recognise a format.
const sniffSize = 4096

// nopCloser is the Closer of decoders that own no resources.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// Open recognises the format of r by its magic bytes (name, a file name, is
// only a hint used when the bytes are not recognised) and returns a Decoder
// for it at the file's own rate, bounded by lim, and a Closer that releases
// what the decoder holds (a no-op except for a decoder process, which it
// kills and reaps). Close must be called once the decoder is no longer used.
//
// WAV is parsed in-process. The other formats are decoded by a decoder
// process, on a core of its own, when one is installed: MP3 by mpg123 and
// FLAC by flac when they are (their start costs a few milliseconds against
// ffmpeg's tens, and they decode with less CPU), else by ffmpeg, which also
// decodes Ogg Vorbis and everything else (AAC/M4A, Opus, AIFF, WMA, …) and
// is preferred for files not at the rate OpenForAnalysis wants (it resamples
// more cheaply than Resample). The process reads a regular file r directly
// (r's offset is then moved) and other readers through a pipe (a spooled
// temporary file for ffmpeg, which needs to seek). Without any tool, MP3,
// FLAC and Ogg Vorbis fall back to pure-Go decoders, whose panics are
// recovered into ErrInvalid errors, and the other formats fail with an error
// wrapping ErrNeedFFmpeg. Every decoder stops with an ErrInvalid error once
// more than lim.MaxSeconds of audio has been decoded, whatever the header
// claimed.
func Open(r io.Reader, name string, lim Limits) (Decoder, io.Closer, error) {
	return open(r, name, lim, 0)
}

// OpenForAnalysis is Open with the output at AnalysisRate, as Analyze wants
// it: ffmpeg resamples in its own process (Format().SourceRate is then the
// file's rate), the other decoders are wrapped in Resample.
func OpenForAnalysis(r io.Reader, name string, lim Limits) (Decoder, io.Closer, error) {
	d, c, err := open(r, name, lim, AnalysisRate)
	if err != nil {
		return nil, nil, err
	}
	return Resample(d, AnalysisRate), c, nil
}

// open is Open; rate > 0 asks ffmpeg to resample to rate.
func open(r io.Reader, name string, lim Limits, rate int) (Decoder, io.Closer, error) {
	lim = lim.withDefaults()
	in := localFile(r)
	br := bufio.NewReaderSize(r, sniffSize)
	in.r = br
	head, err := br.Peek(sniffSize)
	if err != nil && !isEOF(err) {
		return nil, nil, fmt.Errorf("reading audio header: %w", err)
	}
	if len(head) == 0 {
		return nil, nil, invalid("the audio file is empty")
	}
	kind := sniff(head, name)
	if t := pickTool(kind, head, rate); t != nil {
		in.frames = declaredFrames(kind, head)
		pd, err := newProcDecoder(t, in, kind, lim, rate)
		if err != nil {
			return nil, nil, err
		}
		return pd, pd, nil
	}
	var d Decoder
	switch kind {
	case kindWAV:
		d, err = guardOpen("WAV", func() (Decoder, error) { return NewWAVReader(br, lim) })
	case kindMP3:
		d, err = guardOpen("MP3", func() (Decoder, error) { return newMP3Decoder(br, head, lim) })
	case kindFLAC:
		d, err = guardOpen("FLAC", func() (Decoder, error) { return newFLACDecoder(br, lim) })
	case kindVorbis:
		frames := oggLength(r, head)
		d, err = guardOpen("Ogg Vorbis", func() (Decoder, error) { return newOggDecoder(br, lim, frames) })
	case kindUnknown:
		return nil, nil, invalid("unrecognised audio format (WAV, MP3, FLAC and Ogg Vorbis are decoded natively; ffmpeg, which decodes the rest, is not installed)")
	default:
		return nil, nil, fmt.Errorf("%s audio: %w", kind, ErrNeedFFmpeg)
	}
	if err != nil {
		return nil, nil, err
	}
	// WAVReader's sample decoders already yield [-1,1] without NaN (integer
	// PCM by construction, float PCM through clampUnit).
	return &guardedDecoder{d: d, name: kind.String(), lim: lim, format: d.Format(), inRange: kind == kindWAV}, nopCloser{}, nil
}

// audioKind is a container or codec recognised by sniff.
type audioKind int

const (
	kindUnknown audioKind = iota
	kindWAV
	kindMP3
	kindFLAC
	kindVorbis
	kindMP4   // MP4/M4A/3GP (AAC, ALAC)
	kindADTS  // raw AAC
	kindOpus  // Ogg Opus
	kindOgg   // another Ogg codec
	kindAIFF  // AIFF/AIFC
	kindWebM  // Matroska/WebM
	kindASF   // WMA
	kindCAF   // Core Audio
	kindOther // unrecognised bytes with an audio file extension
)

func (k audioKind) String() string {
	return [...]string{"unknown", "WAV", "MP3", "FLAC", "Ogg Vorbis", "MP4/M4A", "AAC (ADTS)", "Ogg Opus",
		"Ogg", "AIFF", "Matroska/WebM", "ASF/WMA", "CAF", "unrecognised"}[k]
}

// ffmpegExts are file extensions that make Open try ffmpeg on bytes it does
// not recognise.
var ffmpegExts = map[string]bool{".aac": true, ".m4a": true, ".mp4": true, ".opus": true, ".wma": true,
	".aiff": true, ".aif": true, ".webm": true, ".mka": true, ".caf": true, ".ac3": true, ".amr": true,
	".alac": true, ".ape": true, ".wv": true, ".mp2": true, ".3gp": true}

// sniff recognises a format from the first bytes of a file.
func sniff(b []byte, name string) audioKind {
	has := func(off int, s string) bool { return len(b) >= off+len(s) && string(b[off:off+len(s)]) == s }
	switch {
	case has(0, "RIFF") || has(0, "RIFX") || has(0, "RF64"):
		return kindWAV
	case has(0, "fLaC"):
		return kindFLAC
	case has(0, "OggS"):
		switch {
		case bytes.Contains(b[:min(len(b), 128)], []byte("\x01vorbis")):
			return kindVorbis
		case bytes.Contains(b[:min(len(b), 128)], []byte("OpusHead")):
			return kindOpus
		}
		return kindOgg
	case has(4, "ftyp"):
		return kindMP4
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return kindAIFF
	case has(0, "\x1a\x45\xdf\xa3"):
		return kindWebM
	case has(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
		return kindASF
	case has(0, "caff"):
		return kindCAF
	case has(0, "ID3"):
		// An ID3v2 tag is followed by MPEG audio in practice (rarely AAC).
		if mpegAt(b, id3Size(b)) == kindADTS {
			return kindADTS
		}
		return kindMP3
	}
	if k := mpegAt(b, 0); k != kindUnknown {
		return k
	}
	if ext := strings.ToLower(filepath.Ext(name)); ffmpegExts[ext] {
		return kindOther
	} else if ext == ".mp3" {
		return kindMP3
	}
	return kindUnknown
}

// id3Size returns the length of the ID3v2 tag at the start of b (header,
// body and footer), from its syncsafe size.
func id3Size(b []byte) int {
	if len(b) < 10 {
		return len(b)
	}
	n := int(b[6]&0x7f)<<21 | int(b[7]&0x7f)<<14 | int(b[8]&0x7f)<<7 | int(b[9]&0x7f)
	n += 10
	if b[5]&0x10 != 0 {
		n += 10
	}
	return n
}

// mpegAt recognises an MPEG audio (layer III) or ADTS AAC frame header at
// offset off of b.
func mpegAt(b []byte, off int) audioKind {
	if off < 0 || off+4 > len(b) || b[off] != 0xFF || b[off+1]&0xE0 != 0xE0 {
		return kindUnknown
	}
	switch b[off+1] & 0x06 { // layer bits
	case 0x00:
		if b[off+1]&0xF0 == 0xF0 {
			return kindADTS
		}
	case 0x02:
		if b[off+2]&0xF0 != 0xF0 && b[off+2]&0x0C != 0x0C { // bitrate, sample-rate index valid
			return kindMP3
		}
	}
	return kindUnknown
}

// guardOpen runs a decoder constructor, recovering its panics.
func guardOpen(name string, open func() (Decoder, error)) (d Decoder, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("%w: %s decoder panicked: %v", ErrInvalid, name, p)
		}
	}()
	d, err = open()
	if err != nil {
		return nil, err
	}
	if err := checkFormat(d.Format(), Limits{}.withDefaults()); err != nil {
		return nil, err
	}
	return d, nil
}

// checkFormat validates a decoder's format against the limits.
func checkFormat(f Format, lim Limits) error {
	switch {
	case f.Channels <= 0:
		return invalid("the audio declares %d channels", f.Channels)
	case f.Channels > lim.MaxChannels:
		return invalid("the audio has %d channels; at most %d are allowed", f.Channels, lim.MaxChannels)
	case f.SampleRate < minSampleRate || f.SampleRate > maxSampleRate:
		return invalid("sample rate %d Hz is outside %d–%d Hz", f.SampleRate, minSampleRate, maxSampleRate)
	}
	return nil
}

// guardedDecoder wraps an in-process decoder: it recovers panics into
// ErrInvalid errors, enforces the duration limit, clamps samples to [-1,1]
// (NaN → 0) and makes errors sticky.
type guardedDecoder struct {
	d      Decoder
	name   string
	lim    Limits
	format Format
	frames int64
	err    error
	// inRange: the decoder's samples are always in [-1,1] (no NaN), so the
	// clamp pass is skipped.
	inRange bool
}

func (g *guardedDecoder) Format() Format { return g.format }

func (g *guardedDecoder) Read(dst []float32) (n int, err error) {
	if g.err != nil {
		return 0, g.err
	}
	ch := g.format.Channels
	if len(dst) < ch {
		if len(dst) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	dst = dst[:len(dst)/ch*ch]
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("%w: %s decoder panicked: %v", ErrInvalid, g.name, p)
		}
		if err != nil {
			g.err = err
		}
	}()
	n, err = g.d.Read(dst)
	if n < 0 || n > len(dst) || n%ch != 0 {
		return 0, fmt.Errorf("%w: %s decoder returned %d samples for a buffer of %d", ErrInvalid, g.name, n, len(dst))
	}
	if !g.inRange {
		for i, v := range dst[:n] {
			if !(v >= -1 && v <= 1) {
				dst[i] = clampUnit(float64(v))
			}
		}
	}
	g.frames += int64(n / ch)
	if float64(g.frames) > g.lim.MaxSeconds*float64(g.format.SampleRate) {
		return 0, invalid("%s audio is longer than the %g s limit", g.name, g.lim.MaxSeconds)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%w: %s: %v", ErrInvalid, g.name, err)
	}
	if err != nil && n > 0 {
		// Deliver the samples now, the error on the next call.
		g.err = err
		return n, nil
	}
	return n, err
}

// declaredFrames returns the length in frames the start of the file
// declares where a decoder tool's WAV output does not say it (an MP3's
// Xing/Info frame count, minus what gapless decoding drops), or -1.
func declaredFrames(kind audioKind, head []byte) int64 {
	if kind != kindMP3 {
		return -1
	}
	off := 0
	if len(head) >= 3 && string(head[:3]) == "ID3" {
		off = id3Size(head)
	}
	if mpegAt(head, off) != kindMP3 {
		return -1
	}
	if t := mp3Gapless(head[off:]); t.end >= 0 {
		return t.end - t.skip
	}
	return -1
}

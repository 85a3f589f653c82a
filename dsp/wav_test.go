package dsp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// readAll decodes every sample of w through a buffer of bufFrames frames.
func readAll(t testing.TB, w Decoder, bufFrames int) ([]float32, error) {
	t.Helper()
	buf := make([]float32, bufFrames*w.Format().Channels)
	var out []float32
	for {
		n, err := w.Read(buf)
		if n > 0 && err != nil {
			t.Fatalf("Read returned %d samples with error %v", n, err)
		}
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func TestDecodeFormats(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name   string
		wav    []byte
		format Format
		want   []float32
	}{
		{
			name:   "8-bit unsigned",
			wav:    pcmWAV(tagPCM, 8, 1, 8000, encU8(0, 128, 255, 64, 192)),
			format: Format{SampleRate: 8000, Channels: 1, BitDepth: 8, Frames: 5},
			want:   []float32{-1, 0, 127.0 / 128, -0.5, 0.5},
		},
		{
			name:   "16-bit",
			wav:    pcmWAV(tagPCM, 16, 1, 44100, encS16(-32768, 0, 32767, 16384, -1)),
			format: Format{SampleRate: 44100, Channels: 1, BitDepth: 16, Frames: 5},
			want:   []float32{-1, 0, 32767.0 / 32768, 0.5, -1.0 / 32768},
		},
		{
			name:   "24-bit",
			wav:    pcmWAV(tagPCM, 24, 1, 48000, encS24(-8388608, 0, 8388607, 1<<22, -1)),
			format: Format{SampleRate: 48000, Channels: 1, BitDepth: 24, Frames: 5},
			want:   []float32{-1, 0, 8388607.0 / 8388608, 0.5, -1.0 / 8388608},
		},
		{
			name:   "32-bit int",
			wav:    pcmWAV(tagPCM, 32, 1, 96000, encS32(math.MinInt32, 0, 1<<30, -1<<29, -1)),
			format: Format{SampleRate: 96000, Channels: 1, BitDepth: 32, Frames: 5},
			want:   []float32{-1, 0, 0.5, -0.25, -1.0 / (1 << 31)},
		},
		{
			name:   "float32 clamped",
			wav:    pcmWAV(tagFloat, 32, 1, 44100, encF32(-1, 0, 0.123456, 1, 1.5, -inf, nan)),
			format: Format{SampleRate: 44100, Channels: 1, BitDepth: 32, Float: true, Frames: 7},
			want:   []float32{-1, 0, 0.123456, 1, 1, -1, 0},
		},
		{
			// Out-of-range values within a group of four (decodeF32 runs
			// four at a time) as well as in the tail.
			name:   "float32 clamped in a group",
			wav:    pcmWAV(tagFloat, 32, 1, 44100, encF32(1.5, nan, 0.25, -2, 0.5, inf)),
			format: Format{SampleRate: 44100, Channels: 1, BitDepth: 32, Float: true, Frames: 6},
			want:   []float32{1, 0, 0.25, -1, 0.5, 1},
		},
		{
			name:   "float64 clamped",
			wav:    pcmWAV(tagFloat, 64, 1, 192000, encF64(0.125, -0.75, 0.1, 3, math.NaN(), math.Inf(1))),
			format: Format{SampleRate: 192000, Channels: 1, BitDepth: 64, Float: true, Frames: 6},
			want:   []float32{0.125, -0.75, float32(0.1), 1, 0, 1},
		},
		{
			name:   "16-bit stereo",
			wav:    pcmWAV(tagPCM, 16, 2, 22050, encS16(100, -100, 16384, -16384, 0, 32767)),
			format: Format{SampleRate: 22050, Channels: 2, BitDepth: 16, Frames: 3},
			want:   []float32{100.0 / 32768, -100.0 / 32768, 0.5, -0.5, 0, 32767.0 / 32768},
		},
		{
			name: "extensible 24-bit stereo",
			wav: testWAV{tag: tagExtensible, subformat: tagPCM, channels: 2, rate: 48000, bits: 24,
				data: encS24(1<<22, -1<<22, 8388607, -8388608), dataSize: -1}.bytes(),
			format: Format{SampleRate: 48000, Channels: 2, BitDepth: 24, Frames: 2},
			want:   []float32{0.5, -0.5, 8388607.0 / 8388608, -1},
		},
		{
			name: "extensible float32",
			wav: testWAV{tag: tagExtensible, subformat: tagFloat, channels: 1, rate: 44100, bits: 32,
				data: encF32(0.25, -0.5), dataSize: -1}.bytes(),
			format: Format{SampleRate: 44100, Channels: 1, BitDepth: 32, Float: true, Frames: 2},
			want:   []float32{0.25, -0.5},
		},
		{
			name: "odd unknown chunk with pad byte, LIST, fact and a long fmt before data",
			wav: testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, fmtSize: 101,
				before: []testChunk{{"junk", []byte{1, 2, 3}}, {"LIST", []byte("INFOISFT")}, {"fact", encS32(2)}},
				data:   encS16(16384, -16384), dataSize: -1}.bytes(),
			format: Format{SampleRate: 8000, Channels: 1, BitDepth: 16, Frames: 2},
			want:   []float32{0.5, -0.5},
		},
		{
			name: "fmt with cbSize (18 bytes)",
			wav: testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, fmtSize: 18,
				data: encS16(16384), dataSize: -1}.bytes(),
			format: Format{SampleRate: 8000, Channels: 1, BitDepth: 16, Frames: 1},
			want:   []float32{0.5},
		},
		{
			name:   "data size 0 streams to EOF, dropping a partial frame",
			wav:    append(testWAV{tag: tagPCM, channels: 2, rate: 8000, bits: 16, data: encS16(1, 2, 3, 4), dataSize: 0}.bytes(), 9),
			format: Format{SampleRate: 8000, Channels: 2, BitDepth: 16, Frames: -1},
			want:   []float32{1.0 / 32768, 2.0 / 32768, 3.0 / 32768, 4.0 / 32768},
		},
		{
			name:   "data size 0xFFFFFFFF streams to EOF",
			wav:    testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 8, data: encU8(0, 255), dataSize: 0xFFFFFFFF}.bytes(),
			format: Format{SampleRate: 8000, Channels: 1, BitDepth: 8, Frames: -1},
			want:   []float32{-1, 127.0 / 128},
		},
		{
			name: "data size not a whole number of frames, chunks after data",
			wav: append(testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: append(encS16(16384), 7), dataSize: -1}.bytes(),
				"\x00LIST\x04\x00\x00\x00INFO"...),
			format: Format{SampleRate: 8000, Channels: 1, BitDepth: 16, Frames: 1},
			want:   []float32{0.5},
		},
	}
	for _, tt := range tests {
		for _, bufFrames := range []int{1, 2, 4096} {
			w, err := NewWAVReader(bytes.NewReader(tt.wav), Limits{})
			if err != nil {
				t.Fatalf("%s: NewWAVReader: %v", tt.name, err)
			}
			if got := w.Format(); got != tt.format {
				t.Fatalf("%s: Format() = %+v, want %+v", tt.name, got, tt.format)
			}
			got, err := readAll(t, w, bufFrames)
			if err != io.EOF {
				t.Fatalf("%s: final error %v, want io.EOF", tt.name, err)
			}
			if !equalBits(got, tt.want) {
				t.Fatalf("%s (buffer %d frames): samples %v, want %v", tt.name, bufFrames, got, tt.want)
			}
			if n, err := w.Read(make([]float32, 8)); n != 0 || err != io.EOF {
				t.Fatalf("%s: Read after EOF = %d, %v", tt.name, n, err)
			}
		}
	}
}

// equalBits compares float32 slices exactly.
func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestHeaderErrors(t *testing.T) {
	pcm := func(mod func(*testWAV)) []byte {
		w := testWAV{tag: tagPCM, channels: 1, rate: 44100, bits: 16, data: encS16(1, 2), dataSize: -1}
		mod(&w)
		return w.bytes()
	}
	fmtOnly := pcm(func(*testWAV) {})[:12+8+16]
	tests := []struct {
		name string
		wav  []byte
		lim  Limits
		want string
	}{
		{"empty", nil, Limits{}, "not a WAV file: the file is empty"},
		{"short", []byte("RIF"), Limits{}, "not a WAV file: missing RIFF header"},
		{"not RIFF", []byte("ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), Limits{}, "not a WAV file: missing RIFF header"},
		{"RIFX", []byte("RIFX\x00\x00\x00\x24WAVE"), Limits{}, "unsupported WAV variant RIFX"},
		{"RF64 without ds64", []byte("RF64\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00"), Limits{}, "RF64 file has no ds64 chunk first"},
		{"RF64 short ds64", []byte("RF64\xff\xff\xff\xffWAVEds64\x08\x00\x00\x00"), Limits{}, "ds64 chunk is 8 bytes"},
		{"AVI", []byte("RIFF\x00\x00\x00\x00AVI "), Limits{}, "not a WAV file: the RIFF form type is not WAVE"},
		{"RIFF only", []byte("RIFF\x04\x00\x00\x00"), Limits{}, "not a WAV file: the RIFF form type is not WAVE"},
		{"no chunks", []byte("RIFF\x04\x00\x00\x00WAVE"), Limits{}, "WAV file has no fmt chunk"},
		{"fmt but no data", fmtOnly, Limits{}, "WAV file has no data chunk"},
		{"data before fmt", pcm(func(w *testWAV) { w.noFmt = true }), Limits{}, "no fmt chunk before its data chunk"},
		{"two fmt", pcm(func(w *testWAV) {
			w.before = []testChunk{{"fmt ", make([]byte, 16)}}
		}), Limits{}, "more than one fmt chunk"},
		{"huge unknown chunk", append(fmtOnly, "LIST\xf0\xff\xff\xffINFO"...), Limits{}, `no data chunk (it ends inside a "LIST" chunk)`},
		{"huge fmt chunk", []byte("RIFF\x00\x00\x00\x00WAVEfmt \xf0\xff\xff\xff\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00"),
			Limits{}, "truncated inside its fmt chunk"},
		{"short fmt", pcm(func(w *testWAV) { w.fmtSize = 14 }), Limits{}, "fmt chunk is 14 bytes; at least 16 are required"},
		{"A-law", pcm(func(w *testWAV) { w.tag, w.bits = 6, 8 }), Limits{}, "unsupported WAV format tag 0x0006 (A-law)"},
		{"MP3", pcm(func(w *testWAV) { w.tag = 0x55 }), Limits{}, "unsupported WAV format tag 0x0055 (MPEG Layer 3)"},
		{"unnamed tag", pcm(func(w *testWAV) { w.tag = 0x1234 }), Limits{}, "unsupported WAV format tag 0x1234: only PCM and IEEE float"},
		{"extensible ADPCM", pcm(func(w *testWAV) { w.tag, w.subformat = tagExtensible, 2 }), Limits{},
			"format tag 0x0002 (Microsoft ADPCM) inside WAVE_FORMAT_EXTENSIBLE"},
		{"extensible short", pcm(func(w *testWAV) { w.tag, w.subformat, w.fmtSize = tagExtensible, tagPCM, 18 }), Limits{},
			"WAVE_FORMAT_EXTENSIBLE fmt chunk is 18 bytes; 40 are required"},
		{"extensible foreign GUID", func() []byte {
			b := pcm(func(w *testWAV) { w.tag, w.subformat = tagExtensible, tagPCM })
			b[12+8+24+15] ^= 0xFF // last GUID byte
			return b
		}(), Limits{}, "unsupported WAVE_FORMAT_EXTENSIBLE subformat GUID"},
		{"12-bit", pcm(func(w *testWAV) { w.bits, w.blockAlign = 12, 2 }), Limits{}, "unsupported 12-bit integer PCM"},
		{"16-bit float", pcm(func(w *testWAV) { w.tag = tagFloat }), Limits{}, "unsupported 16-bit float"},
		{"0 channels", pcm(func(w *testWAV) { w.channels, w.blockAlign = 0, 2 }), Limits{}, "declares 0 channels"},
		{"huge channel count", pcm(func(w *testWAV) { w.channels, w.blockAlign = 65535, 2 }), Limits{},
			"WAV file has 65535 channels; at most 8 are allowed"},
		{"MaxChannels", pcm(func(w *testWAV) { w.channels = 3 }), Limits{MaxChannels: 2}, "3 channels; at most 2 are allowed"},
		{"rate too low", pcm(func(w *testWAV) { w.rate = 4000 }), Limits{}, "sample rate 4000 Hz is outside 8000–192000 Hz"},
		{"rate too high", pcm(func(w *testWAV) { w.rate = 384000 }), Limits{}, "sample rate 384000 Hz is outside"},
		{"block align", pcm(func(w *testWAV) { w.channels, w.blockAlign = 2, 2 }), Limits{},
			"block align is 2 bytes; 2 channels of 16-bit samples need 4"},
		{"declared duration over the limit", pcm(func(w *testWAV) { w.rate, w.dataSize = 8000, 2*8000*2 }), Limits{MaxSeconds: 1.5},
			"WAV header declares 2.0 s of audio; the limit is 1.5 s"},
		{"corrupt data size over the default limit", pcm(func(w *testWAV) { w.dataSize = 0xFFFFFFF0 }), Limits{},
			"WAV header declares 48695.8 s of audio; the limit is 3600 s"},
	}
	for _, tt := range tests {
		_, err := NewWAVReader(bytes.NewReader(tt.wav), tt.lim)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v does not wrap ErrInvalid", tt.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestTruncated(t *testing.T) {
	wav := testWAV{tag: tagPCM, channels: 2, rate: 8000, bits: 16, data: encS16(make([]int16, 2*40+1)...), dataSize: 2 * 2 * 100}.bytes()
	w, err := NewWAVReader(bytes.NewReader(wav), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if w.Format().Frames != 100 {
		t.Fatalf("Frames = %d, want 100", w.Format().Frames)
	}
	got, err := readAll(t, w, 16)
	if len(got) != 80 {
		t.Errorf("decoded %d samples before the error, want 80", len(got))
	}
	if !errors.Is(err, ErrInvalid) || err.Error() != "invalid audio: WAV file is truncated: header declares 100 frames, found 40" {
		t.Errorf("error = %v", err)
	}
	if _, again := w.Read(make([]float32, 2)); again != err {
		t.Errorf("second Read error = %v, want the same error", again)
	}
}

// TestCorruptDataSizeDoesNotAllocate: a 100-byte file declaring a 4 GiB data
// chunk (within the duration limit) is a truncation error, found without
// allocating anything near the declared size.
func TestCorruptDataSizeDoesNotAllocate(t *testing.T) {
	// 8 channels of float64 at 192 kHz: 0xFFFFFFF0 bytes are 349 s, under the
	// default limit, so decoding starts.
	wav := testWAV{tag: tagFloat, channels: 8, rate: 192000, bits: 64, data: make([]byte, 56), dataSize: 0xFFFFFFF0}.bytes()
	if len(wav) != 100 {
		t.Fatalf("test file is %d bytes", len(wav))
	}
	// 16-bit mono at 8 kHz with a limit large enough to accept the header.
	wav16 := testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: make([]byte, 56), dataSize: 0xFFFFFFF0}.bytes()
	for _, tc := range []struct {
		wav  []byte
		lim  Limits
		want string
	}{
		{wav, Limits{}, "invalid audio: WAV file is truncated: header declares 67108863 frames, found 0"},
		{wav16, Limits{MaxSeconds: 1e6}, "invalid audio: WAV file is truncated: header declares 2147483640 frames, found 28"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := AnalyzeBasic(bytes.NewReader(tc.wav), tc.lim)
		runtime.ReadMemStats(&after)
		if err == nil || err.Error() != tc.want {
			t.Errorf("error = %v, want %q", err, tc.want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
			t.Errorf("AnalyzeBasic allocated %d bytes for a %d-byte file", grew, len(tc.wav))
		}
	}
}

func TestStreamOverLimit(t *testing.T) {
	wav := testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: make([]byte, 2*8001), dataSize: 0}.bytes()
	w, err := NewWAVReader(bytes.NewReader(wav), Limits{MaxSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, w, 1000)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "longer than the 1 s limit") {
		t.Errorf("error = %v", err)
	}
	if len(got) > 8000 {
		t.Errorf("delivered %d frames past a limit of 8000", len(got))
	}

	// Exactly at the limit is accepted.
	wav = testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: make([]byte, 2*8000), dataSize: 0}.bytes()
	b, err := AnalyzeBasic(bytes.NewReader(wav), Limits{MaxSeconds: 1})
	if err != nil || b.Frames != 8000 {
		t.Errorf("at the limit: %v, %+v", err, b)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestSourceErrorsAreNotInvalid: an error of the reader itself (a network
// failure) is passed on, not reported as bad input.
func TestSourceErrorsAreNotInvalid(t *testing.T) {
	netErr := errors.New("connection reset")
	wav := testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, before: []testChunk{{"junk", make([]byte, 10)}},
		data: encS16(1, 2, 3, 4), dataSize: -1}.bytes()
	// In the RIFF header, the fmt chunk, a chunk header, the junk chunk, the data.
	for _, cut := range []int{0, 10, 30, 38, 48, 58, 62} {
		_, err := AnalyzeBasic(&failingReader{data: wav[:cut], err: netErr}, Limits{})
		if !errors.Is(err, netErr) || errors.Is(err, ErrInvalid) {
			t.Errorf("cut at %d: error = %v, want the reader's error and not ErrInvalid", cut, err)
		}
	}
}

func TestReadShortBuffer(t *testing.T) {
	w, err := NewWAVReader(bytes.NewReader(pcmWAV(tagPCM, 16, 2, 8000, encS16(1, 2))), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.Read(make([]float32, 1)); n != 0 || err != io.ErrShortBuffer {
		t.Errorf("Read(1 sample of a stereo frame) = %d, %v; want io.ErrShortBuffer", n, err)
	}
	if n, err := w.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	if n, err := w.Read(make([]float32, 3)); n != 2 || err != nil {
		t.Errorf("Read(3) = %d, %v; want one whole frame", n, err)
	}
}

// TestDecodeS16Every: every 16-bit value, at every alignment around the
// vector loop's steps, decodes to v/2^15 exactly.
func TestDecodeS16Every(t *testing.T) {
	all := make([]int16, 1<<16)
	for i := range all {
		all[i] = int16(i - 1<<15)
	}
	src := encS16(all...)
	for _, n := range []int{len(all), len(all) - 1, 13, 8, 7, 1} {
		dst := make([]float32, n)
		decodeS16(dst, src[:2*n])
		for i, v := range dst {
			if want := float32(all[i]) / (1 << 15); v != want {
				t.Fatalf("n=%d sample %d (%d): %v, want %v", n, i, all[i], v, want)
			}
		}
	}
}

// TestDecodeF32Vector: decodeF32 with its vector copy gives decodeF32Go's
// samples, to the bit, for in-range runs broken by values beyond ±1, NaN,
// ±Inf and −0 at every alignment.
func TestDecodeF32Vector(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	special := []float32{1.5, -1.0000001, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.Copysign(0, -1)), 1, -1}
	v := make([]float32, 5000)
	for i := range v {
		v[i] = float32(rng.Float64()*2 - 1)
		if rng.IntN(40) == 0 {
			v[i] = special[rng.IntN(len(special))]
		}
	}
	src := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(src[4*i:], math.Float32bits(x))
	}
	for _, n := range []int{len(v), len(v) - 3, 77, 8, 5} {
		got, want := make([]float32, n), make([]float32, n)
		decodeF32(got, src[:4*n])
		decodeF32Go(want, src[:4*n])
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d sample %d (%v): %v, want %v", n, i, v[i], got[i], want[i])
			}
		}
	}
}

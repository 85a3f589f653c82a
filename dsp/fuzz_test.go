package dsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// fuzzLimits keep fuzzed streams short.
var fuzzLimits = Limits{MaxSeconds: 30}

// fuzzSeeds are valid and broken files of every format the tests build.
func fuzzSeeds() [][]byte {
	return [][]byte{
		pcmWAV(tagPCM, 8, 1, 8000, encU8(0, 128, 255, 64)),
		pcmWAV(tagPCM, 16, 2, 44100, sine16(1500, 2, 44100, 1000, 0.5)),
		pcmWAV(tagPCM, 24, 1, 48000, encS24(-8388608, 0, 8388607)),
		pcmWAV(tagPCM, 32, 1, 96000, encS32(math.MinInt32, 0, 1<<30)),
		pcmWAV(tagFloat, 32, 1, 44100, encF32(-1, 0.5, 1.5, float32(math.NaN()))),
		pcmWAV(tagFloat, 64, 2, 192000, encF64(0.125, -0.75, math.Inf(1), 0)),
		testWAV{tag: tagExtensible, subformat: tagPCM, channels: 2, rate: 48000, bits: 24, data: encS24(1, 2, 3, 4), dataSize: -1}.bytes(),
		testWAV{tag: tagExtensible, subformat: tagFloat, channels: 1, rate: 8000, bits: 32, data: encF32(0.25), dataSize: -1}.bytes(),
		testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, fmtSize: 101,
			before: []testChunk{{"junk", []byte{1, 2, 3}}}, data: encS16(1, 2), dataSize: -1}.bytes(),
		testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: encS16(1, 2, 3), dataSize: 0}.bytes(),
		testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, data: encS16(1, 2, 3), dataSize: 0xFFFFFFFF}.bytes(),
		testWAV{tag: tagPCM, channels: 2, rate: 8000, bits: 16, data: encS16(1, 2, 3), dataSize: 400}.bytes(),
		testWAV{tag: 6, channels: 1, rate: 8000, bits: 8, data: encU8(1), dataSize: -1}.bytes(),
		[]byte("RIFF\x00\x00\x00\x00WAVEfmt \xf0\xff\xff\xff"),
	}
}

// checkBasic asserts the invariants every successful analysis keeps.
func checkBasic(t *testing.T, b *Basic) {
	if b.Frames < 0 || b.Peak < 0 || b.Peak > 1 || b.PeakDBFS < -120 || b.PeakDBFS > 0 {
		t.Fatalf("frames %d, peak %v, %v dBFS", b.Frames, b.Peak, b.PeakDBFS)
	}
	if n := int(b.Frames); len(b.RMS) != wantFrames(n) || len(b.FrameTimes) != len(b.RMS) {
		t.Fatalf("%d frames: %d RMS, %d times", n, len(b.RMS), len(b.FrameTimes))
	}
	for _, r := range b.RMS {
		if !(r >= 0 && r <= 1) {
			t.Fatalf("RMS %v", r)
		}
	}
	w := b.Waveform
	if int64(w.Points) != min(b.Frames, WaveformPoints) || len(w.Min) != w.Points || len(w.Max) != w.Points {
		t.Fatalf("waveform of %d points for %d frames", w.Points, b.Frames)
	}
	for i := range w.Points {
		if !(-1 <= w.Min[i] && w.Min[i] <= w.Max[i] && w.Max[i] <= 1) {
			t.Fatalf("waveform point %d: %v..%v", i, w.Min[i], w.Max[i])
		}
	}
	if _, err := json.Marshal(b); err != nil {
		t.Fatal(err)
	}
}

func FuzzNewWAVReader(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := NewWAVReader(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		format := w.Format()
		buf := make([]float32, 3*format.Channels)
		var frames int64
		for {
			n, err := w.Read(buf)
			for _, v := range buf[:n] {
				if !(v >= -1 && v <= 1) {
					t.Fatalf("sample %v", v)
				}
			}
			frames += int64(n / format.Channels)
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				return
			}
		}
		if format.Frames >= 0 && frames != format.Frames {
			t.Fatalf("decoded %d frames, header declares %d", frames, format.Frames)
		}
	})
}

func FuzzAnalyzeBasic(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := AnalyzeBasic(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "panicked") {
				t.Fatal(err)
			}
			return
		}
		checkBasic(t, b)
	})
}

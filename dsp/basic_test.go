package dsp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"runtime"
	"testing"
)

func analyze(t *testing.T, wav []byte) *Basic {
	t.Helper()
	b, err := AnalyzeBasic(bytes.NewReader(wav), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantFrames is the RMS frame count of the original frontend: frames while
// pos+1024 <= n.
func wantFrames(n int) int {
	if n < FrameSize {
		return 0
	}
	return (n-FrameSize)/HopSize + 1
}

// TestSine32k: at 32 kHz a 1 kHz period is 32 samples, so every frame (1024)
// holds whole periods and its RMS is exactly A/√2 up to 16-bit quantisation.
func TestSine32k(t *testing.T) {
	const rate, n, amp = 32000, 32000, 0.5
	b := analyze(t, pcmWAV(tagPCM, 16, 1, rate, sine16(n, 1, rate, 1000, amp)))

	if b.SampleRate != rate || b.Channels != 1 || b.Frames != n || b.Duration != 1 {
		t.Errorf("rate %d, channels %d, frames %d, duration %v", b.SampleRate, b.Channels, b.Frames, b.Duration)
	}
	if b.FrameSize != 1024 || b.HopSize != 512 {
		t.Errorf("framing %d/%d", b.FrameSize, b.HopSize)
	}
	// round(0.5·32767) = 16384 → exactly 0.5.
	if b.Peak != 0.5 {
		t.Errorf("Peak = %v, want 0.5", b.Peak)
	}
	if want := 20 * math.Log10(0.5); math.Abs(b.PeakDBFS-want) > 1e-12 {
		t.Errorf("PeakDBFS = %v, want %v", b.PeakDBFS, want)
	}
	if len(b.RMS) != wantFrames(n) || len(b.RMS) != 61 || len(b.FrameTimes) != len(b.RMS) {
		t.Fatalf("%d RMS frames and %d times, want %d", len(b.RMS), len(b.FrameTimes), wantFrames(n))
	}
	want := amp / math.Sqrt2
	for i, r := range b.RMS {
		if math.Abs(float64(r)-want) > 2e-5 {
			t.Fatalf("RMS[%d] = %v, want %v", i, r, want)
		}
	}
	for i, ft := range b.FrameTimes {
		if ft != float64(i*512)/rate {
			t.Fatalf("FrameTimes[%d] = %v, want %v", i, ft, float64(i*512)/rate)
		}
	}
	if b.FrameTimes[1] != 0.016 {
		t.Errorf("FrameTimes[1] = %v, want 0.016 (frame start)", b.FrameTimes[1])
	}
}

// TestSine44k: a 1 kHz sine at 44.1 kHz, 10 s and a partial hop: frame count,
// RMS within the error of frames that do not hold whole periods, and a
// symmetrical waveform reaching ±A in every point.
func TestSine44k(t *testing.T) {
	const rate, n, amp = 44100, 441000 + 300, 0.8
	data := sine16(n, 2, rate, 1000, amp)
	b := analyze(t, pcmWAV(tagPCM, 16, 2, rate, data))
	if len(b.RMS) != (n-1024)/512+1 {
		t.Fatalf("%d frames, want %d", len(b.RMS), (n-1024)/512+1)
	}
	var sumSq float64
	for i, r := range b.RMS {
		if math.Abs(float64(r)-amp/math.Sqrt2) > 0.005*amp {
			t.Fatalf("RMS[%d] = %v, want %v ±0.5%%", i, r, amp/math.Sqrt2)
		}
		sumSq += float64(r) * float64(r)
	}
	if got := math.Sqrt(sumSq / float64(len(b.RMS))); math.Abs(got-amp/math.Sqrt2) > 1e-4 {
		t.Errorf("mean RMS %v, want %v", got, amp/math.Sqrt2)
	}
	var peak int16
	for i := 0; i < len(data); i += 2 {
		peak = max(peak, int16(binary.LittleEndian.Uint16(data[i:])))
	}
	if want := float64(peak) / 32768; b.Peak != want || math.Abs(b.Peak-amp) > 1e-4 {
		t.Errorf("Peak = %v, want %v (≈%v)", b.Peak, want, amp)
	}
	if b.Waveform.Points != 1024 || len(b.Waveform.Min) != 1024 || len(b.Waveform.Max) != 1024 {
		t.Fatalf("waveform %d points (%d/%d)", b.Waveform.Points, len(b.Waveform.Min), len(b.Waveform.Max))
	}
	for i := range 1024 {
		lo, hi := float64(b.Waveform.Min[i]), float64(b.Waveform.Max[i])
		if math.Abs(hi-amp) > 1e-3 || math.Abs(lo+amp) > 1e-3 || math.Abs(hi+lo) > 1e-4 {
			t.Fatalf("point %d: min %v max %v, want ±%v", i, lo, hi, amp)
		}
	}
}

// TestMonoMixIsChannelMean: opposite channels cancel in the mix-down while
// the peak still sees each channel.
func TestMonoMixIsChannelMean(t *testing.T) {
	const n = 4096
	samples := make([]int16, 0, 2*n)
	for i := range n {
		v := int16(8192 * math.Sin(float64(i)/5))
		samples = append(samples, v, -v)
	}
	b := analyze(t, pcmWAV(tagPCM, 16, 2, 8000, encS16(samples...)))
	if b.Peak < 0.24 || b.Peak > 0.25 {
		t.Errorf("Peak = %v, want ~0.25", b.Peak)
	}
	for i, r := range b.RMS {
		if r != 0 {
			t.Fatalf("RMS[%d] = %v, want 0", i, r)
		}
	}
	for i := range b.Waveform.Points {
		if b.Waveform.Min[i] != 0 || b.Waveform.Max[i] != 0 {
			t.Fatalf("waveform point %d = %v..%v, want 0", i, b.Waveform.Min[i], b.Waveform.Max[i])
		}
	}

	// A DC offset on one channel is halved in the mix.
	samples = samples[:0]
	for range 2048 {
		samples = append(samples, 16384, 0)
	}
	b = analyze(t, pcmWAV(tagPCM, 16, 2, 8000, encS16(samples...)))
	if b.Peak != 0.5 || b.RMS[0] != 0.25 || b.Waveform.Max[0] != 0.25 {
		t.Errorf("peak %v, rms %v, waveform max %v; want 0.5, 0.25, 0.25", b.Peak, b.RMS[0], b.Waveform.Max[0])
	}
}

func TestFrameCounts(t *testing.T) {
	for _, n := range []int{0, 1, 100, 1023, 1024, 1025, 1535, 1536, 2047, 2048, 5000} {
		b := analyze(t, pcmWAV(tagPCM, 16, 1, 8000, make([]byte, 2*n)))
		if len(b.RMS) != wantFrames(n) || len(b.FrameTimes) != wantFrames(n) {
			t.Errorf("n=%d: %d RMS, %d times, want %d", n, len(b.RMS), len(b.FrameTimes), wantFrames(n))
		}
		if b.Waveform.Points != min(n, 1024) || len(b.Waveform.Min) != b.Waveform.Points || len(b.Waveform.Max) != b.Waveform.Points {
			t.Errorf("n=%d: waveform %d points", n, b.Waveform.Points)
		}
		if b.Frames != int64(n) {
			t.Errorf("n=%d: Frames = %d", n, b.Frames)
		}
	}
}

func TestSilence(t *testing.T) {
	for _, n := range []int{0, 8000} {
		b := analyze(t, pcmWAV(tagPCM, 16, 1, 8000, make([]byte, 2*n)))
		if b.Peak != 0 || b.PeakDBFS != -120 {
			t.Errorf("n=%d: peak %v, %v dBFS; want 0, -120", n, b.Peak, b.PeakDBFS)
		}
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if n == 0 && !bytes.Contains(js, []byte(`"frame_times":[],"rms":[],"waveform":{"points":0,"min":[],"max":[]}`)) {
			t.Errorf("empty track JSON: %s", js)
		}
	}
	// A peak of 1 LSB at 32 bit is under the floor.
	b := analyze(t, pcmWAV(tagPCM, 32, 1, 8000, encS32(1, 0)))
	if b.PeakDBFS != -120 {
		t.Errorf("tiny peak: %v dBFS", b.PeakDBFS)
	}
}

// TestShortWaveform: under 1024 samples every point is one sample.
func TestShortWaveform(t *testing.T) {
	b := analyze(t, pcmWAV(tagPCM, 8, 1, 8000, encU8(0, 64, 128, 255)))
	want := []float32{-1, -0.5, 0, 127.0 / 128}
	if b.Waveform.Points != 4 || !equalBits(b.Waveform.Min, want) || !equalBits(b.Waveform.Max, want) {
		t.Errorf("waveform %+v, want min = max = %v", b.Waveform, want)
	}
}

// TestUnknownLengthMatchesKnown: a streaming WAV (data size 0) analyses the
// same as the same samples with a declared size.
func TestUnknownLengthMatchesKnown(t *testing.T) {
	data := sine16(100_003, 1, 44100, 440, 0.3)
	known := analyze(t, testWAV{tag: tagPCM, channels: 1, rate: 44100, bits: 16, data: data, dataSize: -1}.bytes())
	unknown := analyze(t, testWAV{tag: tagPCM, channels: 1, rate: 44100, bits: 16, data: data, dataSize: 0}.bytes())
	a, _ := json.Marshal(known)
	b, _ := json.Marshal(unknown)
	if !bytes.Equal(a, b) {
		t.Error("streaming and sized WAVs analyse differently")
	}
}

// sineStream generates a 16-bit mono WAV with an unknown data size on the
// fly, so the test holds no copy of the signal.
type sineStream struct {
	header []byte
	left   int // samples still to produce
	i      int
}

func (s *sineStream) Read(p []byte) (int, error) {
	if len(s.header) > 0 {
		n := copy(p, s.header)
		s.header = s.header[n:]
		return n, nil
	}
	if s.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n+2 <= len(p) && s.left > 0 {
		v := int16(10000 * math.Sin(float64(s.i)*0.1))
		binary.LittleEndian.PutUint16(p[n:], uint16(v))
		n += 2
		s.i++
		s.left--
	}
	return n, nil
}

// TestStreamingMemory: 30 minutes of 8 kHz audio (29 MB of samples) are
// analysed with allocations bounded by the output series, not the signal.
func TestStreamingMemory(t *testing.T) {
	const samples = 30 * 60 * 8000
	hdr := testWAV{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: 0}.bytes()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := AnalyzeBasic(&sineStream{header: hdr, left: samples}, Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if b.Frames != samples || len(b.RMS) != wantFrames(samples) || b.Waveform.Points != 1024 {
		t.Fatalf("frames %d, rms %d, points %d", b.Frames, len(b.RMS), b.Waveform.Points)
	}
	output := int64(len(b.RMS)) * (4 + 8) // RMS + FrameTimes
	if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 3*output+1<<20 {
		t.Errorf("allocated %d bytes for %d bytes of output series", grew, output)
	}
}

// panicReader panics on Read, standing in for a decoder bug.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("index out of range") }

func TestPanicRecovered(t *testing.T) {
	b, err := AnalyzeBasic(io.MultiReader(bytes.NewReader(pcmWAV(tagPCM, 16, 1, 8000, nil)[:44]), panicReader{}), Limits{})
	if b != nil || !errors.Is(err, ErrInvalid) || err.Error() != "invalid audio: WAV decoder panicked: index out of range" {
		t.Errorf("AnalyzeBasic = %v, %v", b, err)
	}
}

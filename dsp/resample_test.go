package dsp

import (
	"bytes"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// resampleAll resamples the WAV bytes to rate, reading in buffers of
// bufFrames frames, and returns the interleaved output and its format.
func resampleAll(t *testing.T, wav []byte, rate, bufFrames int) ([]float32, Format) {
	t.Helper()
	w, err := NewWAVReader(bytes.NewReader(wav), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	d := Resample(w, rate)
	f := d.Format()
	buf := make([]float32, bufFrames*f.Channels)
	var out []float32
	for {
		n, err := d.Read(buf)
		if n%f.Channels != 0 {
			t.Fatalf("%d samples for %d channels", n, f.Channels)
		}
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, f
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("Read returned nothing and no error")
		}
	}
}

// TestResampleTones: two tones (one per channel) keep their frequency,
// amplitude and phase through every rate conversion Analyze meets (down,
// up, a ratio that needs approximated phases), the output has
// ceil(n·out/in) frames, and a tone above the output's Nyquist frequency
// is removed.
func TestResampleTones(t *testing.T) {
	for _, in := range []int{48000, 22050, 96000, 192000, 44101, 8000, 11025} {
		const seconds = 1.0
		f0, f1 := 1000.0, 3000.0
		if in == 8000 {
			f1 = 2500 // under its Nyquist frequency, in the passband
		}
		g := newSignal(in, 2, seconds)
		n := g.frames()
		for i := range n {
			x := float64(i) / float64(in)
			g.s[2*i] = float32(0.5 * math.Sin(2*math.Pi*f0*x))
			g.s[2*i+1] = float32(0.25 * math.Sin(2*math.Pi*f1*x+1))
		}
		out, f := resampleAll(t, g.wav(), AnalysisRate, 333)
		wantN := (int64(n)*AnalysisRate + int64(in) - 1) / int64(in)
		if f.SampleRate != AnalysisRate || f.SourceRate != in || f.Channels != 2 || f.Frames != wantN {
			t.Errorf("%d Hz: format %+v, want %d frames", in, f, wantN)
		}
		if int64(len(out)/2) != wantN {
			t.Errorf("%d Hz: %d frames, want %d", in, len(out)/2, wantN)
		}
		// Away from the edges (the filter sees zeros beyond them).
		var e0, s0, e1, s1 float64
		for k := AnalysisRate / 50; k < len(out)/2-AnalysisRate/50; k++ {
			x := float64(k) / AnalysisRate
			w0, w1 := 0.5*math.Sin(2*math.Pi*f0*x), 0.25*math.Sin(2*math.Pi*f1*x+1)
			e0 += (float64(out[2*k]) - w0) * (float64(out[2*k]) - w0)
			e1 += (float64(out[2*k+1]) - w1) * (float64(out[2*k+1]) - w1)
			s0 += w0 * w0
			s1 += w1 * w1
		}
		snr0, snr1 := 10*math.Log10(s0/e0), 10*math.Log10(s1/e1)
		t.Logf("%6d Hz → %d Hz: %d frames, SNR %.1f / %.1f dB", in, AnalysisRate, len(out)/2, snr0, snr1)
		if snr0 < 60 || snr1 < 60 {
			t.Errorf("%d Hz: SNR %.1f / %.1f dB, want ≥ 60", in, snr0, snr1)
		}
	}

	// 30 kHz at 96 kHz has no place at 44.1 kHz.
	g := tone(96000, 1, 30000, -6, 0.5)
	out, _ := resampleAll(t, g.wav(), AnalysisRate, 4096)
	var sq float64
	for _, v := range out[1000 : len(out)-1000] {
		sq += float64(v) * float64(v)
	}
	if db := 10 * math.Log10(sq/float64(len(out)-2000)/0.125); db > -50 {
		t.Errorf("30 kHz tone: %.1f dB after resampling to 44.1 kHz, want ≤ -50", db)
	}
}

// TestResampleIdentity: a stream already at the rate is returned as it is.
func TestResampleIdentity(t *testing.T) {
	w, err := NewWAVReader(bytes.NewReader(tone(AnalysisRate, 1, 440, -6, 0.1).wav()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d := Resample(w, AnalysisRate); d != Decoder(w) {
		t.Errorf("Resample at the same rate wrapped the decoder: %T", d)
	}
}

// TestAnalyzeAnyRate: the same band-limited mix (test180: chord, clicks,
// kicks) at 22.05, 44.1, 48 and 96 kHz is analysed at 44.1 kHz: the same frame count and frame times, tempo and
// loudness; sample_rate is 44100, source_sample_rate the file's.
func TestAnalyzeAnyRate(t *testing.T) {
	a0 := analyzeWAV(t, test180Mix(44100, 120, 12).wav(), Options{})
	for _, rate := range []int{22050, 48000, 96000} {
		g := test180Mix(rate, 120, 12)
		a := analyzeWAV(t, g.wav(), Options{})
		s := a.Summary
		t.Logf("%d Hz: %d frames (44.1 kHz: %d), %.2f BPM, %.2f LUFS (%.2f)", rate, len(a.FrameTimes), len(a0.FrameTimes),
			s.BPM, s.LoudnessLUFS, a0.Summary.LoudnessLUFS)
		if s.SampleRate != AnalysisRate || s.SourceRate != rate {
			t.Errorf("%d Hz: sample_rate %d, source_sample_rate %d", rate, s.SampleRate, s.SourceRate)
		}
		if len(a.FrameTimes) != len(a0.FrameTimes) || a.FrameTimes[len(a.FrameTimes)-1] != a0.FrameTimes[len(a0.FrameTimes)-1] {
			t.Errorf("%d Hz: %d frames, 44.1 kHz has %d", rate, len(a.FrameTimes), len(a0.FrameTimes))
		}
		if math.Abs(s.BPM-a0.Summary.BPM) > 0.5 || math.Abs(s.LoudnessLUFS-a0.Summary.LoudnessLUFS) > 0.1 ||
			math.Abs(s.TruePeakDBTP-a0.Summary.TruePeakDBTP) > 0.3 || s.Key != "C" || s.Mode != "major" ||
			math.Abs(s.Duration-a0.Summary.Duration) > 1e-3 {
			t.Errorf("%d Hz: %+v, 44.1 kHz %+v", rate, s, a0.Summary)
		}
	}
}

// TestFFmpegResample: OpenForAnalysis through ffmpeg delivers 44.1 kHz from
// a 96 kHz FLAC with the file's rate as SourceRate, the container's length
// as Frames, and the tones intact.
func TestFFmpegResample(t *testing.T) {
	ff := ffmpegPath(t)
	const in, seconds = 96000, 2.0
	g := newSignal(in, 2, seconds)
	for i := range g.frames() {
		x := float64(i) / in
		g.s[2*i] = float32(0.5 * math.Sin(2*math.Pi*1000*x))
		g.s[2*i+1] = float32(0.25 * math.Sin(2*math.Pi*15000*x+1))
	}
	dir := t.TempDir()
	src, path := filepath.Join(dir, "t.wav"), filepath.Join(dir, "t.flac")
	if err := os.WriteFile(src, g.wav(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(ff, "-v", "error", "-i", src, "-sample_fmt", "s32", "-c:a", "flac", path).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	d, c, err := OpenForAnalysis(fh, path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := d.Format()
	if DecoderProcess(d) != "ffmpeg" || f.SampleRate != AnalysisRate || f.SourceRate != in || f.Frames < AnalysisRate*seconds || f.Frames > AnalysisRate*(seconds*1.01+ffmpegLimitGrace)+1 {
		t.Fatalf("%T %+v", d, f)
	}
	var out []float32
	buf := make([]float32, 2*1000)
	for {
		n, err := d.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	// ffmpeg's resampler delays nothing (it compensates its filter).
	var e0, s0, e1, s1 float64
	for k := AnalysisRate / 20; k < len(out)/2-AnalysisRate/20; k++ {
		x := float64(k) / AnalysisRate
		w0, w1 := 0.5*math.Sin(2*math.Pi*1000*x), 0.25*math.Sin(2*math.Pi*15000*x+1)
		e0 += (float64(out[2*k]) - w0) * (float64(out[2*k]) - w0)
		e1 += (float64(out[2*k+1]) - w1) * (float64(out[2*k+1]) - w1)
		s0 += w0 * w0
		s1 += w1 * w1
	}
	snr0, snr1 := 10*math.Log10(s0/e0), 10*math.Log10(s1/e1)
	t.Logf("96 kHz FLAC through ffmpeg: %d frames at %d Hz, SNR %.1f dB (1 kHz) / %.1f dB (15 kHz)", len(out)/2, f.SampleRate, snr0, snr1)
	if len(out)/2 != AnalysisRate*seconds || snr0 < 80 || snr1 < 45 {
		t.Errorf("%d frames, SNR %.1f / %.1f dB", len(out)/2, snr0, snr1)
	}
}

package dsp

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestTempoSweep: click tracks and drum patterns every 8 BPM from 60 to 180
// (30 s each): tempo within ±1% on ≥95%, beat F (±70 ms, <5 s trimmed) and
// onset F (±50 ms) means ≥0.95.
func TestTempoSweep(t *testing.T) {
	var n, ok int
	var beatF, onF float64
	for bpm := 60.0; bpm <= 180; bpm += 8 {
		for _, kind := range []string{"click", "drums"} {
			var g *signal
			var truth, off []float64
			if kind == "click" {
				g, truth = clickTrack(44100, bpm, 30, 0.25)
			} else {
				g, truth = drumPattern(44100, bpm, 30, &off)
			}
			onsets := slices.Sorted(slices.Values(append(slices.Clone(truth), off...)))
			a := analyzeWAV(t, g.wav(), Options{})
			bf, of := fMeasure(trim(truth), trim(a.Beats), 0.07), fMeasure(onsets, a.Onsets, 0.05)
			good := math.Abs(a.Summary.BPM-bpm) <= 0.01*bpm
			n++
			if good {
				ok++
			}
			beatF += bf
			onF += of
			t.Logf("%-5s %3g BPM: got %6.2f (conf %.2f), beat F %.3f, onset F %.3f", kind, bpm, a.Summary.BPM, a.Summary.BPMConfidence, bf, of)
		}
	}
	beatF /= float64(n)
	onF /= float64(n)
	t.Logf("tempo ±1%%: %d/%d; mean beat F %.3f; mean onset F %.3f", ok, n, beatF, onF)
	if float64(ok) < 0.95*float64(n) || beatF < 0.95 || onF < 0.95 {
		t.Errorf("tempo %d/%d, beat F %.3f, onset F %.3f", ok, n, beatF, onF)
	}
}

// TestOffGridTempo: 128 BPM at 48 kHz (off the frame grid).
func TestOffGridTempo(t *testing.T) {
	g, truth := clickTrack(48000, 128, 40, 0.1)
	a := analyzeWAV(t, g.wav(), Options{})
	if math.Abs(a.Summary.BPM-128) > 0.5 {
		t.Errorf("BPM %v", a.Summary.BPM)
	}
	if f := fMeasure(trim(truth), trim(a.Beats), 0.07); f < 0.99 {
		t.Errorf("beat F %v", f)
	}
}

// TestToneFeatures: pure tones' centroid within 1% of the frequency, the
// EBU reference sine reads −23 LUFS, and pitch follows the tone.
func TestToneFeatures(t *testing.T) {
	for _, f := range []float64{220, 440, 1000, 3000, 8000} {
		a := analyzeWAV(t, tone(44100, 1, f, -6, 2).wav(), Options{})
		c := a.Series[SeriesSpectralCentroid]
		mid := float64(c[len(c)/2])
		if math.Abs(mid-f) > 0.01*f {
			t.Errorf("%g Hz: centroid %v", f, mid)
		}
	}
	// EBU Tech 3341 case 1: 1 kHz, −23 dBFS, stereo → −23.0 LUFS.
	a := analyzeWAV(t, tone(48000, 2, 1000, -23, 20).wav(), Options{})
	if math.Abs(a.Summary.LoudnessLUFS+23) > 0.1 {
		t.Errorf("EBU reference: %v LUFS", a.Summary.LoudnessLUFS)
	}
	if math.Abs(a.Summary.TruePeakDBTP+23) > 0.2 || math.Abs(a.Summary.PeakDBFS+23) > 0.1 {
		t.Errorf("peaks %v dBTP %v dBFS", a.Summary.TruePeakDBTP, a.Summary.PeakDBFS)
	}
	if a.Summary.LoudnessRangeLU > 0.1 {
		t.Errorf("LRA %v", a.Summary.LoudnessRangeLU)
	}
	m := a.Series[SeriesLoudness]
	if v := m[len(m)/2]; math.Abs(float64(v)+23) > 0.1 {
		t.Errorf("momentary %v", v)
	}
	// A4 → pitch class A (9).
	a = analyzeWAV(t, tone(44100, 1, 440, -6, 2).wav(), Options{})
	if p := a.Pitch[len(a.Pitch)/2]; p.Pitch != 9 || p.Confidence < 0.8 {
		t.Errorf("pitch %+v", p)
	}
}

// TestKeyTriads: I–IV–V–I progressions in several keys and modes.
func TestKeyTriads(t *testing.T) {
	for _, tc := range []struct {
		tonic int
		minor bool
	}{{0, false}, {7, false}, {2, false}, {9, true}, {4, true}, {5, false}} {
		r := 60 + tc.tonic
		roots := []int{r, r + 5, r + 7, r}
		minor := []bool{tc.minor, tc.minor, false, tc.minor}
		a := analyzeWAV(t, triads(44100, roots, minor, 2).wav(), Options{})
		want := "major"
		if tc.minor {
			want = "minor"
		}
		if a.Summary.Key != PitchClasses[tc.tonic] || a.Summary.Mode != want {
			t.Errorf("%s %s: got %s %s (%.2f)", PitchClasses[tc.tonic], want, a.Summary.Key, a.Summary.Mode, a.Summary.KeyConfidence)
		}
	}
}

// TestSilenceAndNoise: silence gives floors and no events; white noise has
// a high flatness and no confident tempo.
func TestSilenceAndNoise(t *testing.T) {
	a := analyzeWAV(t, newSignal(44100, 2, 5).wav(), Options{})
	s := a.Summary
	if s.LoudnessLUFS != LoudnessFloor || s.PeakDBFS != silenceDBFS || s.TruePeakDBTP != silenceDBFS || s.Key != "" ||
		len(a.Onsets) != 0 || len(a.Beats) != 0 || s.BPM != 0 {
		t.Errorf("silence: %+v, %d onsets, %d beats", s, len(a.Onsets), len(a.Beats))
	}
	for name, v := range a.Series {
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%s has %v", name, x)
			}
		}
	}
	g := newSignal(44100, 1, 5)
	rng := newRand(3)
	g.addMono(0, g.frames(), func(int) float64 { return 0.3 * (rng.Float64()*2 - 1) })
	a = analyzeWAV(t, g.wav(), Options{})
	fl := a.Series[SeriesSpectralFlatness]
	if v := fl[len(fl)/2]; v < 0.4 {
		t.Errorf("noise flatness %v", v)
	}
}

// TestTransientTypes: isolated kick, snare and hat hits are classified.
func TestTransientTypes(t *testing.T) {
	for _, tc := range []struct {
		want string
		hit  func(int) (int, func(int) float64)
	}{
		{TransientKick, func(r int) (int, func(int) float64) { return kick(r, 0.7) }},
		{TransientSnare, func(r int) (int, func(int) float64) { return noiseHit(r, 0.5, 0.04, false, 1) }},
		{TransientHat, func(r int) (int, func(int) float64) { return noiseHit(r, 0.3, 0.01, true, 2) }},
	} {
		g := newSignal(44100, 1, 4)
		n, f := tc.hit(44100)
		for k := range 6 {
			g.addMono(int((0.3+0.6*float64(k))*44100), n, f)
		}
		a := analyzeWAV(t, g.wav(), Options{})
		var types []string
		hits := 0
		for _, tr := range a.Transients {
			types = append(types, tr.Type)
			if tr.Type == tc.want {
				hits++
			}
		}
		if hits < 5 {
			t.Errorf("%s: %v", tc.want, types)
		}
	}
}

// TestDeterministicAndStems: repeated runs are identical; stems select
// series; every series has one value per frame.
func TestDeterministicAndStems(t *testing.T) {
	var off []float64
	g, _ := drumPattern(44100, 120, 8, &off)
	wav := g.wav()
	a, b := analyzeWAV(t, wav, Options{}), analyzeWAV(t, wav, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs differ")
	}
	for name, s := range a.Series {
		if len(s) != len(a.FrameTimes) {
			t.Errorf("%s: %d values, %d frames", name, len(s), len(a.FrameTimes))
		}
	}
	chromaFrames := (len(a.FrameTimes) + ChromaEvery - 1) / ChromaEvery
	if len(a.Series) != len(allSeries) || len(a.MFCC) != len(a.FrameTimes) || len(a.Chroma) != chromaFrames ||
		len(a.Spectrum) != len(a.FrameTimes) || len(a.Pitch) != chromaFrames || chromaFrames == 0 {
		t.Errorf("master: %d series, %d mfcc, %d chroma", len(a.Series), len(a.MFCC), len(a.Chroma))
	}
	d := analyzeWAV(t, wav, Options{Stem: "drums"})
	if d.MFCC != nil || d.Chroma != nil || d.Spectrum == nil || d.Series[SeriesZCR] == nil || d.Series[SeriesSpectralRolloff] != nil {
		t.Errorf("drums features %v", d.Features)
	}
	v := analyzeWAV(t, wav, Options{Stem: "vocals"})
	if v.MFCC == nil || v.Chroma == nil || v.Series[SeriesZCR] != nil {
		t.Errorf("vocals features %v", v.Features)
	}
	// The summary alone: the same analysis without the arrays nothing reads.
	sum := analyzeWAV(t, wav, Options{SummaryOnly: true})
	if sum.MFCC != nil || sum.Spectrum != nil || sum.Pitch != nil || len(sum.Chroma) != chromaFrames ||
		len(sum.Series) != len(allSeries) || slices.Contains(sum.Features, FeatureMFCC) {
		t.Errorf("summary only: features %v, %d mfcc, %d spectrum", sum.Features, len(sum.MFCC), len(sum.Spectrum))
	}
	if sum.Summary != a.Summary || !slices.Equal(sum.Beats, a.Beats) || !slices.Equal(sum.Onsets, a.Onsets) {
		t.Errorf("summary only: %+v, %d beats; full: %+v, %d beats", sum.Summary, len(sum.Beats), a.Summary, len(a.Beats))
	}
	for name, m := range a.Normalization {
		s := a.Series[name]
		if m.OriginalMin != slices.Min(s) || m.OriginalMax != slices.Max(s) {
			t.Errorf("%s meta %+v", name, m)
		}
	}
}

func TestWaveformPNG(t *testing.T) {
	a := analyzeWAV(t, tone(44100, 1, 440, -6, 1).wav(), Options{})
	b, err := WaveformPNG(a.Waveform, 200, 50)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 200 || img.Bounds().Dy() != 50 {
		t.Fatal(err, img.Bounds())
	}
	if _, _, _, al := img.At(100, 25).RGBA(); al == 0 {
		t.Error("centre pixel is empty")
	}
	if _, err := WaveformPNG(a.Waveform, 0, 10); err == nil {
		t.Error("0 width accepted")
	}
	if _, err := WaveformPNG(Waveform{}, 10, 10); err != nil {
		t.Error(err)
	}
}

// ffmpegPath returns ffmpeg, a required peer of these tests.
func ffmpegPath(t *testing.T) string { return peer(t, "ffmpeg") }

// ffmpegEBU returns ffmpeg ebur128's integrated loudness and true peak.
func ffmpegEBU(t *testing.T, ff, path string) (float64, float64) {
	out, err := exec.Command(ff, "-hide_banner", "-nostats", "-i", path, "-filter_complex", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	num := func(re string) float64 {
		m := regexp.MustCompile(re).FindAllSubmatch(out, -1)
		if m == nil {
			t.Fatalf("no %s in\n%s", re, out)
		}
		v, _ := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
		return v
	}
	return num(`I:\s+(-?[\d.]+) LUFS`), num(`Peak:\s+(-?[\d.]+|-inf) dBFS`)
}

// TestLoudnessVsFFmpeg: integrated loudness within 0.2 LU and true peak
// within 0.3 dB of ffmpeg's ebur128 filter on every material.
func TestLoudnessVsFFmpeg(t *testing.T) {
	ff := ffmpegPath(t)
	dir := t.TempDir()
	var off []float64
	drums, _ := drumPattern(44100, 120, 20, &off)
	clicks, _ := clickTrack(48000, 100, 20, 0.1)
	noise := newSignal(44100, 2, 10)
	rng := newRand(5)
	noise.addMono(0, noise.frames(), func(int) float64 { return 0.2 * (rng.Float64()*2 - 1) })
	mix := triads(44100, []int{60, 65, 67, 60}, []bool{false, false, false, false}, 3)
	for i := range mix.s {
		if i < len(drums.s)/2 {
			mix.s[i] += 0.5 * drums.s[2*i]
		}
	}
	for _, tc := range []struct {
		name string
		g    *signal
	}{
		{"ebu-1k-23", tone(48000, 2, 1000, -23, 20)}, {"sine-3k-mono", tone(44100, 1, 3000, -12, 10)},
		{"sine-9k-stereo", tone(44100, 2, 9000, -3, 10)}, {"drums", drums}, {"clicks", clicks},
		{"noise", noise}, {"triads+drums", mix},
	} {
		path := filepath.Join(dir, tc.name+".wav")
		if err := os.WriteFile(path, tc.g.wav(), 0o644); err != nil {
			t.Fatal(err)
		}
		wantI, wantTP := ffmpegEBU(t, ff, path)
		a := analyzeWAV(t, tc.g.wav(), Options{})
		t.Logf("%-15s I %7.2f (ffmpeg %7.2f)  TP %6.2f (ffmpeg %6.2f)", tc.name, a.Summary.LoudnessLUFS, wantI, a.Summary.TruePeakDBTP, wantTP)
		if math.Abs(a.Summary.LoudnessLUFS-wantI) > 0.2 {
			t.Errorf("%s: integrated %v, ffmpeg %v", tc.name, a.Summary.LoudnessLUFS, wantI)
		}
		if tc.name == "sine-9k-stereo" {
			// ffmpeg's 192 kHz resampler overshoots a 9 kHz sine by 0.9 dB;
			// compare with the analytic true peak (−3 dBTP) instead.
			wantTP = -3
		}
		if math.Abs(a.Summary.TruePeakDBTP-wantTP) > 0.45 {
			t.Errorf("%s: true peak %v, ffmpeg %v", tc.name, a.Summary.TruePeakDBTP, wantTP)
		}
	}
}

// TestDecodersVsFFmpeg: MP3, FLAC, Ogg Vorbis and M4A encodings of one
// signal, decoded by Open's ffmpeg subprocess and (M4A aside) by the pure-Go
// fallback decoders, give the same loudness and tempo as ffmpeg reads from
// the same file, exactly ffmpeg's decoded length (for go-mp3 that means
// dropping the LAME tag frame, encoder delay and padding) and a duration
// within one MP3 frame of ffprobe's.
func TestDecodersVsFFmpeg(t *testing.T) {
	ff := ffmpegPath(t)
	fp := peer(t, "ffprobe")
	dir := t.TempDir()
	var off []float64
	g, _ := drumPattern(44100, 120, 15, &off)
	src := filepath.Join(dir, "src.wav")
	os.WriteFile(src, g.wav(), 0o644)
	ref := analyzeWAV(t, g.wav(), Options{})
	for _, tc := range []struct{ ext, codec string }{
		{"mp3", "libmp3lame"}, {"flac", "flac"}, {"ogg", "libvorbis"}, {"m4a", "aac"},
	} {
		path := filepath.Join(dir, "t."+tc.ext)
		if out, err := exec.Command(ff, "-v", "error", "-i", src, "-c:a", tc.codec, path).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", tc.ext, err, out)
		}
		wantI, _ := ffmpegEBU(t, ff, path)
		// ffmpeg's decoded length, in frames.
		pcm, err := exec.Command(ff, "-v", "error", "-i", path, "-ac", "1", "-f", "s16le", "-").Output()
		if err != nil {
			t.Fatalf("%s: ffmpeg decode: %v", tc.ext, err)
		}
		wantFrames := len(pcm) / 2
		// ffprobe reports the start after the encoder delay but a duration
		// that still includes the end padding (under one frame).
		out, err := exec.Command(fp, "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=start_time,duration",
			"-of", "csv=p=0", path).Output()
		if err != nil {
			t.Fatalf("%s: ffprobe: %v", tc.ext, err)
		}
		var probeStart, probeDur float64
		if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "%g,%g", &probeStart, &probeDur); err != nil {
			t.Fatalf("%s: ffprobe said %q: %v", tc.ext, out, err)
		}
		probe := probeDur - probeStart
		decoders := []string{"ffmpeg", "go"}
		switch tc.ext {
		case "mp3":
			decoders = append(decoders, "mpg123")
		case "flac":
			decoders = append(decoders, "flac")
		case "m4a":
			decoders = decoders[:1] // ffmpeg only
		}
		for _, decoder := range decoders {
			t.Run(tc.ext+"/"+decoder, func(t *testing.T) {
				if decoder == "go" {
					withoutFFmpeg(t)
				} else {
					onlyTool(t, decoder)
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
				if by := DecoderProcess(d); by != strings.TrimSuffix(decoder, "go") {
					t.Fatalf("decoded by %T (%q)", d, by)
				}
				a, err := Analyze(d, Options{})
				c.Close()
				if err != nil {
					t.Fatal(err)
				}
				gotFrames := int(math.Round(a.Summary.Duration * float64(a.Summary.SampleRate)))
				t.Logf("%-4s %-6s %d ch %d Hz %.4f s (%d frames; ffmpeg %d, ffprobe %.4f s): %.2f LUFS (ffmpeg %.2f, WAV %.2f), %.2f BPM",
					tc.ext, decoder, a.Summary.Channels, a.Summary.SampleRate, a.Summary.Duration, gotFrames, wantFrames, probe,
					a.Summary.LoudnessLUFS, wantI, ref.Summary.LoudnessLUFS, a.Summary.BPM)
				if math.Abs(a.Summary.LoudnessLUFS-wantI) > 0.2 || math.Abs(a.Summary.BPM-120) > 1.2 ||
					math.Abs(a.Summary.Duration-15) > 0.1 || a.Summary.Channels != 2 {
					t.Errorf("%+v", a.Summary)
				}
				if gotFrames != wantFrames {
					t.Errorf("%d frames, ffmpeg decodes %d", gotFrames, wantFrames)
				}
				if math.Abs(a.Summary.Duration-probe) > 1152.0/float64(a.Summary.SampleRate) {
					t.Errorf("duration %v, ffprobe %v", a.Summary.Duration, probe)
				}
			})
		}
	}
}

// withoutFFmpeg makes Open use the pure-Go decoders for the rest of the
// test: no decoder tool (ffmpeg, mpg123, flac) is found.
func withoutFFmpeg(t testing.TB) {
	onlyTool(t, "")
}

// onlyTool makes name the only decoder tool Open finds for the rest of the
// test (a missing one fails the test, as a missing peer does); "" disables
// them all.
func onlyTool(t testing.TB, name string) {
	oldFF, oldPaths := FFmpegPath, ToolPaths
	ToolPaths = map[string]string{}
	for _, tool := range []*decodeTool{ffmpegTool, mpg123Tool, flacTool} {
		switch {
		case tool.name == name && !tool.installed():
			t.Fatalf("%s is not installed: apt-get install %s (.ci/run does)", name, name)
		case tool.name == name:
		case tool == ffmpegTool:
			FFmpegPath = "/nonexistent/ffmpeg"
		default:
			ToolPaths[tool.name] = "/nonexistent/" + tool.name
		}
	}
	t.Cleanup(func() { FFmpegPath, ToolPaths = oldFF, oldPaths })
}

// TestOpenErrors: garbage, empty input, and missing ffmpeg.
func TestOpenErrors(t *testing.T) {
	if _, _, err := Open(bytes.NewReader(nil), "x.wav", Limits{}); err == nil {
		t.Error("empty accepted")
	}
	withoutFFmpeg(t)
	_, _, err := Open(bytes.NewReader([]byte("\x00\x00\x00\x20ftypM4A xxxxxxxxxxxx")), "x.m4a", Limits{})
	if !isErr(err, ErrNeedFFmpeg) {
		t.Errorf("m4a without ffmpeg: %v", err)
	}
	_, _, err = Open(bytes.NewReader([]byte("garbage garbage garbage")), "x.bin", Limits{})
	if !isErr(err, ErrInvalid) {
		t.Errorf("garbage: %v", err)
	}
}

// TestMP3Gapless: for mono, MPEG-2 (22.05 kHz), VBR with an ID3 tag, and a
// file without a Xing/LAME tag, the pure-Go MP3 decoder yields exactly
// ffmpeg's samples: same length, same alignment.
func TestMP3Gapless(t *testing.T) {
	ff := ffmpegPath(t)
	withoutFFmpeg(t)
	dir := t.TempDir()
	var off []float64
	g, _ := drumPattern(44100, 120, 4, &off)
	src := filepath.Join(dir, "src.wav")
	os.WriteFile(src, g.wav(), 0o644)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"mono", []string{"-ac", "1"}}, {"mpeg2", []string{"-ar", "22050"}},
		{"vbr-id3", []string{"-q:a", "2", "-metadata", "title=x"}}, {"no-xing", []string{"-write_xing", "0"}},
	} {
		path := filepath.Join(dir, tc.name+".mp3")
		args := append(append([]string{"-v", "error", "-i", src, "-c:a", "libmp3lame"}, tc.args...), path)
		if out, err := exec.Command(ff, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", tc.name, err, out)
		}
		pcm, err := exec.Command(ff, "-v", "error", "-i", path, "-f", "s16le", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		d, c, err := Open(bytes.NewReader(b), path, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []float32
		buf := make([]float32, 1000)
		for {
			n, err := d.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				if !isEOF(err) {
					t.Fatalf("%s: %v", tc.name, err)
				}
				break
			}
		}
		c.Close()
		var e, s float64
		for i := range min(len(got), len(pcm)/2) {
			want := float64(int16(uint16(pcm[2*i])|uint16(pcm[2*i+1])<<8)) / 32768
			e += (float64(got[i]) - want) * (float64(got[i]) - want)
			s += want * want
		}
		snr := 10 * math.Log10(s/max(e, 1e-30))
		t.Logf("%-8s %d ch %d Hz: %d samples, ffmpeg %d; SNR against ffmpeg %.1f dB", tc.name, d.Format().Channels,
			d.Format().SampleRate, len(got), len(pcm)/2, snr)
		if len(got) != len(pcm)/2 || snr < 30 {
			t.Errorf("%s: %d samples (ffmpeg %d), SNR %.1f dB", tc.name, len(got), len(pcm)/2, snr)
		}
	}
}

// test180Mix is REFERENCE §4.2's test180 material, synthesised in Go: a C
// major triad mixed as sox's `synth … mix` does (G at twice the amplitude
// of C and E), a 1.5 kHz click and a 150→50 Hz kick on every beat.
func test180Mix(rate int, bpm, seconds float64) *signal {
	g := newSignal(rate, 2, seconds)
	for _, n := range []struct{ f, a float64 }{{261.63, 0.0216}, {329.63, 0.0216}, {392.00, 0.045}} {
		g.addMono(0, g.frames(), func(i int) float64 { return n.a * math.Sin(2*math.Pi*n.f*float64(i)/float64(rate)) })
	}
	cn, cf := click(rate, 0.35)
	kn, kf := kick(rate, 0.45)
	for t := 0.0; t < seconds-0.05; t += 60 / bpm {
		at := int(math.Round(t * float64(rate)))
		g.addMono(at, cn, cf)
		g.addMono(at, kn, kf)
	}
	return g
}

// TestKeyTest180: the click (between F♯6 and G6), the kick's sweep and the
// louder G of the bare C–E–G chord must not tip the key to G major; reruns
// are bit-identical.
func TestKeyTest180(t *testing.T) {
	for _, bpm := range []float64{120, 128} {
		wav := test180Mix(44100, bpm, 20).wav()
		a := analyzeWAV(t, wav, Options{})
		s := a.Summary
		if s.Key != "C" || s.Mode != "major" {
			t.Errorf("%v BPM: got %s %s (%.3f), want C major", bpm, s.Key, s.Mode, s.KeyConfidence)
		}
		b := analyzeWAV(t, wav, Options{})
		if b.Summary.Key != s.Key || b.Summary.Mode != s.Mode || math.Float64bits(b.Summary.KeyConfidence) != math.Float64bits(s.KeyConfidence) {
			t.Errorf("%v BPM: rerun differs: %+v vs %+v", bpm, b.Summary, s)
		}
	}
}

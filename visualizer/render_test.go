package visualizer

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phonoglyph"

	"phonoglyph/wavtest"
)

// progressRecorder collects progress reports and checks their order.
type progressRecorder struct {
	t    *testing.T
	last float64
	n    int
}

func (p *progressRecorder) report(f float64) {
	p.t.Helper()
	if f < p.last || f <= 0 || f > 1 {
		p.t.Errorf("progress %v after %v: want a non-decreasing sequence in (0, 1]", f, p.last)
	}
	p.last = f
	p.n++
}

// renderContext bounds a test render, so that an ffmpeg that stalls fails
// the test quickly rather than hanging it.
func renderContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkOutput probes path and compares it with the expected render.
func checkOutput(t *testing.T, path string, width, height, fps int, duration float64) {
	t.Helper()
	info, err := Probe(t.Context(), "", path)
	if err != nil {
		t.Fatal(err)
	}
	if info.VideoCodec != "h264" || info.Width != width || info.Height != height || !info.HasAudio ||
		math.Abs(info.Duration-duration) > 0.1 || math.Abs(info.FPS-float64(fps)) > 0.01 {
		t.Errorf("output is %+v; want h264 %d×%d at %d fps with audio, %.1f s ± 0.1", *info, width, height, fps, duration)
	}
}

func TestRender720p(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	w, h, err := phonoglyph.RenderSize("16:9", 1280)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.mp4")
	rec := &progressRecorder{t: t}
	opt := Options{Audio: sineWAV(t, dir, 3), Output: out, Width: w, Height: h, FPS: 30, Beats: []float64{0.5, 1, 1.5, 2, 2.5}}
	if err := Render(renderContext(t), opt, rec.report); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, 1280, 720, 30, 3)
	if rec.last < 0.99 {
		t.Errorf("progress ended at %v after %d reports, want ≥ 0.99", rec.last, rec.n)
	}
}

// TestRenderPortrait60 renders 9:16 at 60 fps, small, with a title whose
// text and work directory hold every character ffmpeg's filtergraph syntax
// treats specially.
func TestRenderPortrait60(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	tmp := filepath.Join(dir, `odd: 'tmp' [dir], a;b\c`)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	w, h, err := phonoglyph.RenderSize("9:16", 640)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out: portrait.mp4")
	rec := &progressRecorder{t: t}
	opt := Options{
		Audio: sineWAV(t, dir, 3), Output: out, Width: w, Height: h, FPS: 60, Duration: 3,
		Beats: []float64{0.25, 0.75, 1.25}, Title: "Bob's \"Mix\": [v2], 100% ; a\\b\n",
	}
	if err := Render(renderContext(t), opt, rec.report); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, 360, 640, 60, 3)
	if rec.last < 0.99 {
		t.Errorf("progress ended at %v after %d reports, want ≥ 0.99", rec.last, rec.n)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("work files left behind: %v", entries)
	}
}

// TestRenderSquare60 renders full-size 1:1 at 60 fps: with showspectrum's
// own fps option this filtergraph stalled ffmpeg 5.1 for good.
func TestRenderSquare60(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	w, h, err := phonoglyph.RenderSize("1:1", 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "square.mp4")
	opt := Options{Audio: sineWAV(t, dir, 2), Output: out, Width: w, Height: h, FPS: 60, Beats: []float64{1}}
	if err := Render(renderContext(t), opt, nil); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, 1080, 1080, 60, 2)
}

// TestRenderMono22k renders 22.05 kHz mono at 720p, another input that
// stalled ffmpeg 5.1 with showspectrum's own fps option.
func TestRenderMono22k(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	in := writeFile(t, dir, "mono.wav", wavtest.Sine(22050, 1, 2, 440, 0.5))
	out := filepath.Join(dir, "mono.mp4")
	if err := Render(renderContext(t), Options{Audio: in, Output: out, Width: 1280, Height: 720, FPS: 30}, nil); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, out, 1280, 720, 30, 2)
}

func TestRenderCancel(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "cancelled.mp4")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var cancelledAt float64
	progress := func(f float64) {
		if cancelledAt == 0 {
			cancelledAt = f
			cancel()
		}
	}
	opt := Options{Audio: sineWAV(t, dir, 20), Output: out, Width: 1280, Height: 720, FPS: 30, Duration: 20}
	start := time.Now()
	err := Render(ctx, opt, progress)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Render = %v, want context.Canceled", err)
	}
	if cancelledAt <= 0 || cancelledAt >= 1 {
		t.Errorf("cancelled at progress %v, want mid-render", cancelledAt)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("Render returned %v after it started", d)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial output left behind: %v", err)
	}
	// Nothing may still run with the output path on its command line.
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if cmdline, err := os.ReadFile(p); err == nil && strings.Contains(string(cmdline), out) {
			t.Errorf("%s still runs: %q", filepath.Dir(p), cmdline)
		}
	}
}

func TestRenderNotAudio(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	in := writeFile(t, dir, "notes.txt", []byte("these are not the samples you are looking for\n"))
	// Duration 0 fails in ffprobe, a known duration in ffmpeg itself: both
	// must pass the tool's own message on.
	for _, duration := range []float64{0, 3} {
		out := filepath.Join(dir, "out.mp4")
		err := Render(t.Context(), Options{Audio: in, Output: out, Width: 640, Height: 360, FPS: 30, Duration: duration}, nil)
		if err == nil || !strings.Contains(err.Error(), "Invalid data found when processing input") {
			t.Errorf("duration %v: Render = %v, want ffmpeg's message", duration, err)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("duration %v: output left behind: %v", duration, err)
		}
	}
}

func TestRenderNoFFmpeg(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ffmpeg")
	opt := Options{Audio: "in.wav", Output: "out.mp4", Width: 640, Height: 360, FPS: 30, Duration: 1, FFmpeg: missing}
	err := Render(t.Context(), opt, nil)
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "ffmpeg is not installed") {
		t.Errorf("Render = %v, want ErrNoFFmpeg", err)
	}
	if _, err := Probe(t.Context(), missing+"probe", "in.wav"); !errors.Is(err, ErrNoFFmpeg) {
		t.Errorf("Probe = %v, want ErrNoFFmpeg", err)
	}
}

func TestRenderInvalidOptions(t *testing.T) {
	ok := Options{Audio: "in.wav", Output: "out.mp4", Width: 640, Height: 360, FPS: 30}
	for name, mutate := range map[string]func(*Options){
		"no audio":   func(o *Options) { o.Audio = "" },
		"no output":  func(o *Options) { o.Output = "" },
		"odd width":  func(o *Options) { o.Width = 641 },
		"tiny":       func(o *Options) { o.Height = 126 },
		"huge":       func(o *Options) { o.Width = 8192 },
		"fps 25":     func(o *Options) { o.FPS = 25 },
		"fps unset":  func(o *Options) { o.FPS = 0 },
		"zero width": func(o *Options) { o.Width = 0 },
	} {
		opt := ok
		mutate(&opt)
		if err := Render(t.Context(), opt, nil); err == nil || errors.Is(err, ErrNoFFmpeg) {
			t.Errorf("%s: Render = %v, want a validation error", name, err)
		}
	}
}

func TestProbeAudio(t *testing.T) {
	needFFmpeg(t)
	info, err := Probe(t.Context(), "", sineWAV(t, t.TempDir(), 1.5))
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasAudio || info.VideoCodec != "" || math.Abs(info.Duration-1.5) > 0.01 {
		t.Errorf("Probe = %+v, want 1.5 s of audio without video", *info)
	}
}

package visualizer

import (
	"path/filepath"
	"testing"
	"time"

	"phonoglyph"
)

// BenchmarkRender720p renders 20 s of busy stereo audio at 16:9 720p, 30
// fps, with a beat every half second and a title, and reports the speed as
// x_realtime (audio seconds per wall-clock second; the goal is ≥ 2 on two
// cores).
func BenchmarkRender720p(b *testing.B) {
	needFFmpeg(b)
	const seconds = 20
	dir := b.TempDir()
	in := musicWAV(b, dir, seconds)
	w, h, err := phonoglyph.RenderSize("16:9", 1280)
	if err != nil {
		b.Fatal(err)
	}
	var beats []float64
	for t := 0.25; t < seconds; t += 0.5 {
		beats = append(beats, t)
	}
	opt := Options{Audio: in, Output: filepath.Join(dir, "bench.mp4"), Width: w, Height: h, FPS: 30, Beats: beats, Title: "Benchmark Track"}
	start := time.Now()
	for b.Loop() {
		if err := Render(b.Context(), opt, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*seconds/time.Since(start).Seconds(), "x_realtime")
}

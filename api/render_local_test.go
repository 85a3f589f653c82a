package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phonoglyph/app"
	"phonoglyph/jobs"
	"phonoglyph/visualizer"
)

// Without Lambda the worker renders a real MP4 with ffmpeg.
func TestRenderLocally(t *testing.T) {
	e := newEnv(t, func(d *jobs.Deps) { d.Render.Local = app.RenderLocally })
	e.startWorker()
	token := e.user()
	file := e.uploadSong(token)
	r, res := e.createRender(token, map[string]any{"master_file_id": file, "aspect_ratio": "1:1", "project_name": "Square"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	got := e.waitRender(token, r.ID)
	if got.Status != "completed" {
		t.Fatalf("render = %+v", got)
	}
	res = e.do("GET", "/api/v1/renders/"+r.ID+"/download", token, nil)
	mp4 := e.do("GET", res.Header.Get("Location"), "", nil)
	path := filepath.Join(t.TempDir(), "out.mp4")
	if err := os.WriteFile(path, mp4.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := visualizer.Probe(context.Background(), "", path)
	if err != nil {
		t.Fatal(err)
	}
	if info.VideoCodec != "h264" || info.Width != info.Height || !info.HasAudio || info.Duration < 0.9 || info.Duration > 1.1 {
		t.Errorf("local render = %+v", info)
	}
	r, _ = e.createRender(token, map[string]any{})
	if got := e.waitRender(token, r.ID); got.Status != "failed" || !strings.Contains(*got.Error, "master") {
		t.Errorf("local render without audio = %+v", got)
	}
}

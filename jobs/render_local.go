package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"phonoglyph"
	"phonoglyph/objectkey"
)

// localLongSide is the long side of local renders: 720p keeps them faster
// than real time on small workers.
const localLongSide = 1280

// local renders on this worker with ffmpeg from the master audio, flashing
// on the beats of its analysis when it has them.
func (w *renderWork) local(ctx context.Context, run *Run, r *phonoglyph.Render) error {
	if w.deps.Render.Local == nil {
		return Fail("Rendering is not configured on this server.")
	}
	master, err := w.masterFile(ctx, r)
	if err != nil {
		return err
	}
	width, height, err := phonoglyph.RenderSize(r.Request.AspectRatio, localLongSide)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	audio := filepath.Join(dir, "audio"+filepath.Ext(master.FileName))
	if err := w.download(ctx, master.Key, audio); err != nil {
		return err
	}
	out := filepath.Join(dir, "out.mp4")
	opt := LocalRender{Audio: audio, Output: out, Width: width, Height: height, FPS: r.Request.FPS,
		Beats: w.beats(ctx, r.UserID, master), Title: r.Request.ProjectName}
	if opt.FPS == 0 {
		opt.FPS = 30
	}
	last := -1
	err = w.deps.Render.Local(ctx, opt, func(p float64) {
		if pct := int(p * 95); pct >= last+5 {
			last = pct
			w.progress(ctx, run, p, nil)
		}
	})
	if ctx.Err() != nil {
		return ctx.Err() // shutdown or cancellation: River decides
	} else if err != nil {
		return Failf("The local render failed: %v", err)
	}
	if err := putFile(ctx, w.deps.Blobs, out, objectkey.Render(r.UserID, r.ID), "video/mp4"); err != nil {
		return err
	}
	return w.finish(ctx, run, r, "", nil)
}

// masterFile is the audio to render: master_file_id, else the first audio
// file among the analysed ones.
func (w *renderWork) masterFile(ctx context.Context, r *phonoglyph.Render) (*phonoglyph.File, error) {
	ids := r.Request.AnalysisFileIDs
	if r.Request.MasterFileID != nil {
		ids = []string{*r.Request.MasterFileID}
	}
	for _, id := range ids {
		f, err := w.deps.Store.FileByID(ctx, r.UserID, id)
		if err == nil && f.FileType == phonoglyph.FileAudio && f.UploadStatus == phonoglyph.UploadCompleted {
			return f, nil
		}
	}
	return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The local renderer needs the master audio: give master_file_id (or an audio file in analysis_file_ids).")
}

func (w *renderWork) download(ctx context.Context, key, path string) error {
	rc, _, err := w.deps.openInput(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("download %s: %w", key, err)
	}
	return f.Close()
}

// beats are the beat times of the master's analysis, when it has them.
func (w *renderWork) beats(ctx context.Context, userID string, f *phonoglyph.File) []float64 {
	a, err := w.deps.Store.Analysis(ctx, userID, f.ID, f.AnalysisStem(), AnalysisVersion)
	if err != nil {
		return nil
	}
	var data struct {
		Beats []float64 `json:"beats"`
	}
	if json.Unmarshal(a.Data, &data) != nil {
		return nil
	}
	return data.Beats
}

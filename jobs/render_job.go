package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/remotion"
	"phonoglyph/store"
)

// RenderArgs are the River arguments of a render; the request lives on the
// renders row.
type RenderArgs struct {
	RenderID string `json:"render_id"`
	UserID   string `json:"user_id"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return string(phonoglyph.KindRender) }

// RowID implements Args.
func (a RenderArgs) RowID() string { return a.RenderID }

// InsertOpts puts renders on their own queue; polling Lambda snoozes.
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: string(phonoglyph.KindRender), MaxAttempts: 8}
}

// RenderDeps configure renders: Remotion Lambda when Lambda is set, the
// local ffmpeg renderer otherwise.
type RenderDeps struct {
	Lambda       *remotion.Client
	FunctionName string        // recorded on the row
	Poll         time.Duration // between Lambda progress polls; default 5 s
	Retention    time.Duration // how long a finished render's MP4 is kept; default 30 days
	HTTPClient   *http.Client  // downloads Lambda outputs; default http.DefaultClient
	Local        LocalRenderFunc
}

// LocalRender is what the local renderer is asked to make.
type LocalRender struct {
	Audio, Output string // paths of the master audio and of the MP4 to write
	Width, Height int
	FPS           int
	Beats         []float64
	Title         string
}

// LocalRenderFunc renders an MP4 visualiser on this machine (the
// visualizer package, with ffmpeg), reporting progress 0..1.
type LocalRenderFunc func(ctx context.Context, r LocalRender, progress func(float64)) error

// RequestRender records a render (validated by the caller) and enqueues it
// in tx.
func (c *Client) RequestRender(ctx context.Context, tx *store.Tx, r *phonoglyph.Render) error {
	if err := tx.CreateRender(ctx, r); err != nil {
		return err
	}
	return c.Enqueue(ctx, tx, store.Renders, RenderArgs{RenderID: r.ID, UserID: r.UserID}, nil)
}

// renderKind runs renders to the end on the server and stores the MP4 as a
// file of the render's owner. A Lambda poll is quick, a local render of a
// long track is not.
func renderKind(c *Client) Kind[RenderArgs] {
	w := &renderWork{deps: &c.deps}
	return Kind[RenderArgs]{Table: store.Renders, Timeout: time.Hour, Work: w.work,
		Leftovers: func(a RenderArgs) []string {
			return []string{objectkey.RenderAnalysis(a.UserID, a.RenderID), objectkey.Render(a.UserID, a.RenderID)}
		}}
}

type renderWork struct{ deps *Deps }

func (w *renderWork) work(ctx context.Context, run *Run, a RenderArgs) error {
	run.Owns(objectkey.RenderAnalysis(a.UserID, a.RenderID), objectkey.Render(a.UserID, a.RenderID))
	r, err := w.deps.Store.Render(ctx, a.UserID, a.RenderID)
	if err != nil {
		return err
	}
	if w.deps.Render.Lambda != nil {
		return w.lambda(ctx, run, r)
	}
	return w.local(ctx, run, r)
}

// analysisDocuments stores the analyses the render reads as one JSON array
// and returns a URL to it, so input props carry a reference, never the data.
func (w *renderWork) analysisDocuments(ctx context.Context, r *phonoglyph.Render) (string, error) {
	docs := []phonoglyph.AnalysisDocument{}
	for _, id := range r.Request.AnalysisFileIDs {
		f, err := w.deps.Store.FileByID(ctx, r.UserID, id)
		if err != nil {
			return "", err
		}
		a, err := w.deps.Store.Analysis(ctx, r.UserID, f.ID, f.AnalysisStem(), AnalysisVersion)
		if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			continue // not analysed (yet): the composition falls back to no data for it
		} else if err != nil {
			return "", err
		}
		doc := a.Document()
		if doc.AnalysisData, err = w.readAnalysis(ctx, a); err != nil {
			return "", err
		}
		docs = append(docs, doc)
	}
	raw, err := json.Marshal(docs)
	if err != nil {
		return "", err
	}
	key := objectkey.RenderAnalysis(r.UserID, r.ID)
	if err := w.deps.Blobs.Put(ctx, key, bytes.NewReader(raw), int64(len(raw)), "application/json"); err != nil {
		return "", err
	}
	u, err := w.deps.Blobs.SignGet(ctx, key, "", 24*time.Hour)
	return u.URL, err
}

// readAnalysis reads an analysis's full analysisData document.
func (w *renderWork) readAnalysis(ctx context.Context, a *phonoglyph.Analysis) (json.RawMessage, error) {
	rc, err := AnalysisData(ctx, w.deps.Blobs, a)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// finish stores the rendered MP4's file row and the render's output with
// the job's completion; the analysis file the render read is freed.
func (w *renderWork) finish(ctx context.Context, run *Run, r *phonoglyph.Render, outputURL string, costs json.RawMessage) error {
	key := objectkey.Render(r.UserID, r.ID)
	info, err := w.deps.Blobs.Head(ctx, key)
	if err != nil {
		return err
	}
	f := &phonoglyph.File{ID: uuid.NewString(), UserID: r.UserID, ProjectID: r.Request.ProjectID, FileName: renderFileName(r),
		FileType: phonoglyph.FileVideo, MimeType: "video/mp4", FileSize: info.Size, Key: key, UploadStatus: phonoglyph.UploadCompleted}
	return run.Complete(ctx, func(tx *store.Tx) error {
		if err := tx.CreateFile(ctx, f); err != nil {
			return err
		}
		if err := tx.SetRenderOutput(ctx, r.ID, f.ID, outputURL, costs, time.Now().Add(w.retention())); err != nil {
			return err
		}
		return run.Client().RequestCleanup(ctx, tx, []string{objectkey.RenderAnalysis(r.UserID, r.ID)})
	})
}

// renderFileName is the download name: the project's name, else "render".
func renderFileName(r *phonoglyph.Render) string {
	name := r.Request.ProjectName
	if name == "" {
		name = "render"
	}
	return name + ".mp4"
}

func (w *renderWork) retention() time.Duration {
	if w.deps.Render.Retention > 0 {
		return w.deps.Render.Retention
	}
	return 30 * 24 * time.Hour
}

func (w *renderWork) poll() time.Duration {
	if w.deps.Render.Poll > 0 {
		return w.deps.Render.Poll
	}
	return 5 * time.Second
}

// progress records a fraction 0..1 of the render (95 % at most: the rest is
// storing the output) and its cost so far.
func (w *renderWork) progress(ctx context.Context, run *Run, fraction float64, costs json.RawMessage) {
	run.Progress(ctx, int(fraction*95))
	if costs != nil {
		_ = w.deps.Store.SetRenderCosts(ctx, run.ID(), costs)
	}
}

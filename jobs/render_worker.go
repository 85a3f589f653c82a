package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph"
	"phonoglyph/remotion"
	"phonoglyph/store"
)

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

// RenderWorker runs renders to the end on the server and stores the MP4 as
// a file of the render's owner.
type RenderWorker struct {
	river.WorkerDefaults[RenderArgs]
	deps Deps
}

// Timeout bounds one attempt: a Lambda poll is quick, a local render of a
// long track is not.
func (w *RenderWorker) Timeout(*river.Job[RenderArgs]) time.Duration { return time.Hour }

// Work runs one step of a render.
func (w *RenderWorker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	db := w.deps.Store
	if err := db.StartRender(ctx, job.Args.RenderID); errors.Is(err, store.ErrJobFinished) {
		return nil
	} else if err != nil {
		return err
	}
	r, err := db.Render(ctx, job.Args.UserID, job.Args.RenderID)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	if w.deps.Render.Lambda != nil {
		return w.lambda(ctx, job, r)
	}
	return w.local(ctx, job, r)
}

// analysisDocuments stores the analyses the render reads as one JSON array
// and returns a URL to it, so input props carry a reference, never the data.
func (w *RenderWorker) analysisDocuments(ctx context.Context, r *phonoglyph.Render) (string, error) {
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
	key := renderAnalysisKey(r.UserID, r.ID)
	if err := w.deps.Blobs.Put(ctx, key, bytes.NewReader(raw), int64(len(raw)), "application/json"); err != nil {
		return "", err
	}
	u, err := w.deps.Blobs.SignGet(ctx, key, "", 24*time.Hour)
	return u.URL, err
}

// readAnalysis reads an analysis's full analysisData document.
func (w *RenderWorker) readAnalysis(ctx context.Context, a *phonoglyph.Analysis) (json.RawMessage, error) {
	rc, err := AnalysisData(ctx, w.deps.Blobs, a)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// finish stores the rendered MP4's row, the render's result and completes
// the River job in one transaction.
func (w *RenderWorker) finish(ctx context.Context, job *river.Job[RenderArgs], r *phonoglyph.Render, outputURL string, costs json.RawMessage) error {
	key := renderKey(r.UserID, r.ID)
	info, err := w.deps.Blobs.Head(ctx, key)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	f := &phonoglyph.File{ID: uuid.NewString(), UserID: r.UserID, ProjectID: r.Request.ProjectID, FileName: renderFileName(r),
		FileType: "video", MimeType: "video/mp4", FileSize: info.Size, Key: key, UploadStatus: phonoglyph.UploadCompleted}
	err = pgx.BeginFunc(ctx, w.deps.Store.Pool, func(tx pgx.Tx) error {
		q := store.WithTx(tx)
		if err := q.CreateFile(ctx, f); err != nil {
			return err
		}
		if err := q.CompleteRender(ctx, r.ID, f.ID, outputURL, costs, time.Now().Add(w.retention())); err != nil {
			return err // ErrJobFinished (cancelled meanwhile) rolls the file row back too
		}
		client := workClient(ctx)
		if err := client.RequestCleanup(ctx, tx, []string{renderAnalysisKey(r.UserID, r.ID)}); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if errors.Is(err, store.ErrJobFinished) {
		return nil // the cancellation cleans the output up
	}
	return err
}

// renderFileName is the download name: the project's name, else "render".
func renderFileName(r *phonoglyph.Render) string {
	name := r.Request.ProjectName
	if name == "" {
		name = "render"
	}
	return name + ".mp4"
}

// fail ends the render permanently with a message for its owner.
func (w *RenderWorker) fail(ctx context.Context, job *river.Job[RenderArgs], r *phonoglyph.Render, msg string) error {
	keys := []string{renderAnalysisKey(r.UserID, r.ID), renderKey(r.UserID, r.ID)}
	return failAndFree(ctx, w.deps.Store, keys, msg, func(q *store.Queries) error {
		return q.FinishRender(ctx, r.ID, phonoglyph.StatusFailed, &msg)
	})
}

func (w *RenderWorker) retry(ctx context.Context, job *river.Job[RenderArgs], err error) error {
	return retryOrFail(job.Attempt, job.MaxAttempts, err, func(msg string) error {
		return w.deps.Store.FinishRender(ctx, job.Args.RenderID, phonoglyph.StatusFailed, &msg)
	})
}

func (w *RenderWorker) retention() time.Duration {
	if w.deps.Render.Retention > 0 {
		return w.deps.Render.Retention
	}
	return 30 * 24 * time.Hour
}

func (w *RenderWorker) poll() time.Duration {
	if w.deps.Render.Poll > 0 {
		return w.deps.Render.Poll
	}
	return 5 * time.Second
}

func (w *RenderWorker) progress(ctx context.Context, r *phonoglyph.Render, fraction float64, costs json.RawMessage) {
	_ = w.deps.Store.SetRenderProgress(ctx, r.ID, min(99, int(fraction*95)), costs)
}

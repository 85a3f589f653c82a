package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/remotion"
)

// lambda takes one step of a Remotion Lambda render: start once, then poll
// by snoozing, then copy the MP4 into our storage.
func (w *RenderWorker) lambda(ctx context.Context, job *river.Job[RenderArgs], r *phonoglyph.Render) error {
	if r.RenderID == nil {
		return w.start(ctx, job, r)
	}
	p, err := w.deps.Render.Lambda.Progress(ctx, *r.RenderID, *r.BucketName)
	var fe *remotion.FunctionError
	switch {
	case remotion.IsThrottled(err):
		return river.JobSnooze(2 * w.poll())
	case errors.As(err, &fe):
		return w.fail(ctx, job, r, "The render failed: "+fe.Message)
	case err != nil:
		return w.retry(ctx, job, err)
	case p.Fatal:
		return w.fail(ctx, job, r, "The render failed: "+p.FatalMessage())
	}
	costs := renderCosts(p)
	if !p.Done {
		w.progress(ctx, r, p.Overall, costs)
		return river.JobSnooze(w.poll())
	}
	if err := w.copyOutput(ctx, r, p.OutputFile); err != nil {
		return w.retry(ctx, job, err)
	}
	return w.finish(ctx, job, r, p.OutputFile, costs)
}

// start sends the render to Lambda exactly once: the dispatch mark is
// committed first, and a job finding it set without a renderId crashed
// mid-start and fails rather than risk a second render.
func (w *RenderWorker) start(ctx context.Context, job *river.Job[RenderArgs], r *phonoglyph.Render) error {
	db := w.deps.Store
	if r.Dispatched {
		return w.fail(ctx, job, r, "The render was interrupted while it was being started. Please start it again.")
	}
	if ok, err := db.MarkRenderDispatch(ctx, r.ID); err != nil {
		return w.retry(ctx, job, err)
	} else if !ok {
		return nil
	}
	url, err := w.analysisDocuments(ctx, r)
	if err != nil {
		return w.undispatch(ctx, job, r, err)
	}
	props := map[string]any{}
	if len(r.Request.InputProps) > 0 {
		if err := json.Unmarshal(r.Request.InputProps, &props); err != nil {
			return w.fail(ctx, job, r, "input_props is not a JSON object.")
		}
	}
	props["analysisUrl"], props["audioAnalysisData"] = url, []any{}
	res, err := w.deps.Render.Lambda.Start(ctx, remotion.StartRequest{
		Composition: r.Request.Composition, InputProps: props, Codec: r.Request.Codec, DownloadName: renderFileName(r),
	})
	var fe *remotion.FunctionError
	switch {
	case err == nil:
	case remotion.IsThrottled(err):
		return w.undispatch(ctx, job, r, err) // refused: starting again later is safe
	case errors.As(err, &fe) || phonoglyph.ErrorCode(err) == phonoglyph.EINVALID:
		return w.fail(ctx, job, r, fmt.Sprintf("The render could not start: %v", err))
	default:
		return w.fail(ctx, job, r, "Lambda did not answer the start, so whether the render began is unknown. Please start it again.")
	}
	if err := db.SetRenderStarted(ctx, r.ID, res.RenderID, res.BucketName, w.deps.Render.FunctionName); err != nil {
		return err // the mark stays: a retry fails instead of starting twice
	}
	return river.JobSnooze(w.poll())
}

// undispatch clears the dispatch mark after a start that certainly did not
// happen, and retries later.
func (w *RenderWorker) undispatch(ctx context.Context, job *river.Job[RenderArgs], r *phonoglyph.Render, cause error) error {
	if err := w.deps.Store.ClearRenderDispatch(ctx, r.ID); err != nil {
		return errors.Join(cause, err)
	}
	if remotion.IsThrottled(cause) {
		return river.JobSnooze(2 * w.poll())
	}
	return w.retry(ctx, job, cause)
}

// copyOutput streams the finished MP4 from Remotion's bucket into our
// storage under the owner (multipart on S3 when large).
func (w *RenderWorker) copyOutput(ctx context.Context, r *phonoglyph.Render, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := w.deps.Render.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
		return fmt.Errorf("download render output: %s", res.Status)
	}
	return w.deps.Blobs.Put(ctx, renderKey(r.UserID, r.ID), res.Body, res.ContentLength, "video/mp4")
}

// renderCosts is the cost so far as the renders.costs JSON.
func renderCosts(p *remotion.Progress) json.RawMessage {
	if p.Currency == "" {
		return nil
	}
	raw, _ := json.Marshal(map[string]any{"accrued": p.CostsAccrued, "currency": p.Currency})
	return raw
}

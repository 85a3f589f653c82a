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
	"phonoglyph/objectkey"
	"phonoglyph/remotion"
	"phonoglyph/store"
)

// lambda takes one step of a Remotion Lambda render: start once, then poll
// by snoozing, then copy the MP4 into our storage.
func (w *renderWork) lambda(ctx context.Context, run *Run, r *phonoglyph.Render) error {
	if r.RenderID == nil {
		return w.start(ctx, run, r)
	}
	p, err := w.deps.Render.Lambda.Progress(ctx, *r.RenderID, *r.BucketName)
	var fe *remotion.FunctionError
	switch {
	case remotion.IsThrottled(err):
		return river.JobSnooze(2 * w.poll())
	case errors.As(err, &fe):
		return Fail("The render failed: " + fe.Message)
	case err != nil:
		return err
	case p.Fatal:
		return Fail("The render failed: " + p.FatalMessage())
	}
	costs := renderCosts(p)
	if !p.Done {
		w.progress(ctx, run, p.Overall, costs)
		return river.JobSnooze(w.poll())
	}
	if err := w.copyOutput(ctx, r, p.OutputFile); err != nil {
		return err
	}
	return w.finish(ctx, run, r, p.OutputFile, costs)
}

// start dispatches the render to Lambda exactly once.
func (w *renderWork) start(ctx context.Context, run *Run, r *phonoglyph.Render) error {
	var res *remotion.StartResult
	return run.Dispatch(ctx, Dispatch{
		Marked:      r.Dispatched,
		Interrupted: "The render was interrupted while it was being started. Please start it again.",
		Unknown:     "Lambda did not answer the start, so whether the render began is unknown. Please start it again.",
		Submit: func(ctx context.Context) (string, error) {
			var err error
			if res, err = w.send(ctx, r); err != nil {
				return "", err
			}
			return res.RenderID, nil
		},
		Record: func(ctx context.Context, tx *store.Tx) error {
			return tx.SetRenderBucket(ctx, r.ID, res.BucketName, w.deps.Render.FunctionName)
		},
		Poll: w.poll(),
	})
}

// send starts the render with its analyses stored for it, saying for every
// error whether Lambda certainly did not start it.
func (w *renderWork) send(ctx context.Context, r *phonoglyph.Render) (*remotion.StartResult, error) {
	url, err := w.analysisDocuments(ctx, r)
	if err != nil {
		return nil, NotSent(err, 0)
	}
	props := map[string]any{}
	if len(r.Request.InputProps) > 0 {
		if err := json.Unmarshal(r.Request.InputProps, &props); err != nil {
			return nil, Fail("input_props is not a JSON object.")
		}
	}
	props["analysisUrl"], props["audioAnalysisData"] = url, []any{}
	res, err := w.deps.Render.Lambda.Start(ctx, remotion.StartRequest{
		Composition: r.Request.Composition, InputProps: props, Codec: r.Request.Codec, DownloadName: renderFileName(r),
	})
	var fe *remotion.FunctionError
	switch {
	case err == nil:
		return res, nil
	case remotion.IsThrottled(err):
		return nil, NotSent(err, 2*w.poll()) // refused: starting again later is safe
	case errors.As(err, &fe) || phonoglyph.ErrorCode(err) == phonoglyph.EINVALID:
		return nil, Failf("The render could not start: %v", err)
	}
	return nil, err // no certain answer: whether the render began is unknown
}

// copyOutput streams the finished MP4 from Remotion's bucket into our
// storage under the owner (multipart on S3 when large).
func (w *renderWork) copyOutput(ctx context.Context, r *phonoglyph.Render, url string) error {
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
	return w.deps.Blobs.Put(ctx, objectkey.Render(r.UserID, r.ID), res.Body, res.ContentLength, "video/mp4")
}

// renderCosts is the cost so far as the renders.costs JSON.
func renderCosts(p *remotion.Progress) json.RawMessage {
	if p.Currency == "" {
		return nil
	}
	raw, _ := json.Marshal(map[string]any{"accrued": p.CostsAccrued, "currency": p.Currency})
	return raw
}

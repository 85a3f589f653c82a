package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/runpod"
	"phonoglyph/store"
)

// runpod takes one step of a RunPod separation: submit once, then poll by
// snoozing until RunPod finishes.
func (w *StemWorker) runpod(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, source *phonoglyph.File) error {
	if row.ExternalID == nil {
		return w.submit(ctx, job, row, source)
	}
	st, err := w.deps.Stems.RunPod.Status(ctx, *row.ExternalID)
	if errors.Is(err, runpod.ErrNotFound) {
		return w.fail(ctx, job, row, "RunPod no longer knows this separation: it expired before finishing. Please start it again.")
	} else if errors.Is(err, runpod.ErrUnauthorized) {
		return w.fail(ctx, job, row, "Stem separation is misconfigured (RunPod refused the API key).")
	} else if wait, ok := runpod.IsRetryable(err); ok {
		return river.JobSnooze(max(wait, w.poll()))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	if msg, failed := st.Failed(); failed {
		return w.fail(ctx, job, row, "Stem separation failed: "+msg+".")
	}
	if st.State != runpod.StateCompleted {
		if st.Progress != nil {
			// 5 % for the dispatch, 90 % for RunPod's work, the rest for storing.
			_ = w.deps.Store.SetStemProgress(ctx, row.ID, 5+int(st.Progress.Pct*0.9))
		}
		return river.JobSnooze(w.poll())
	}
	for _, stem := range row.Config.WantedStems() {
		if _, ok := st.Output.Stems[stem]; !ok {
			return w.fail(ctx, job, row, fmt.Sprintf("Stem separation finished without the %s stem.", stem))
		}
	}
	return w.finish(ctx, job, row, source)
}

// submit sends the separation to RunPod exactly once. The dispatch mark is
// committed first; a job that finds it set without a RunPod id crashed
// mid-submission, and fails rather than risk a second submission.
func (w *StemWorker) submit(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, source *phonoglyph.File) error {
	db := w.deps.Store
	if row.DispatchStarted {
		return w.fail(ctx, job, row, "The separation was interrupted while it was being sent to RunPod. Please start it again.")
	}
	if ok, err := db.MarkStemDispatch(ctx, row.ID); err != nil {
		return w.retry(ctx, job, err)
	} else if !ok {
		return nil // another attempt got here first, or the job ended
	}
	in, err := w.input(ctx, row, source)
	if err != nil {
		return w.undispatch(ctx, job, row, err)
	}
	id, err := w.deps.Stems.RunPod.Run(ctx, in, w.deps.Stems.Policy)
	var re *runpod.RetryableError
	switch {
	case err == nil:
	case errors.Is(err, runpod.ErrUnauthorized):
		return w.fail(ctx, job, row, "Stem separation is misconfigured (RunPod refused the API key).")
	case errors.As(err, &re) && re.Status != 0:
		// RunPod answered (429, 5xx): the job was not accepted, so sending
		// again later is safe.
		return w.undispatch(ctx, job, row, err)
	case errors.As(err, &re):
		return w.fail(ctx, job, row, "RunPod did not answer the submission, so whether it started is unknown. Please start it again.")
	default:
		return w.fail(ctx, job, row, fmt.Sprintf("RunPod refused the separation: %v.", err))
	}
	if err := db.SetStemExternalID(ctx, row.ID, id); err != nil {
		return err // the mark stays: a retry fails instead of submitting twice
	}
	_ = db.SetStemProgress(ctx, row.ID, 5)
	return river.JobSnooze(w.poll())
}

// undispatch clears the dispatch mark after a submission RunPod certainly
// did not accept, and lets River retry.
func (w *StemWorker) undispatch(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, cause error) error {
	if err := w.deps.Store.ClearStemDispatch(ctx, row.ID); err != nil {
		return errors.Join(cause, err)
	}
	if wait, ok := runpod.IsRetryable(cause); ok {
		return river.JobSnooze(max(wait, w.poll()))
	}
	return w.retry(ctx, job, cause)
}

// input is the job input for the GPU worker: a presigned GET of the source
// and a presigned PUT per wanted stem, valid for the job's whole life.
func (w *StemWorker) input(ctx context.Context, row *store.StemJob, source *phonoglyph.File) (runpod.Input, error) {
	ttl := w.urlTTL()
	get, err := w.deps.Blobs.SignGet(ctx, source.Key, "", ttl)
	if err != nil {
		return runpod.Input{}, err
	}
	format := row.Config.Quality.OutputFormat
	outputs := map[string]string{}
	for _, stem := range row.Config.WantedStems() {
		put, err := w.deps.Blobs.SignPut(ctx, StemKey(row.UserID, row.ID, stem, format), runpod.ContentType(format), -1, ttl)
		if err != nil {
			return runpod.Input{}, err
		}
		outputs[stem] = put.URL
	}
	rate, _ := strconv.Atoi(row.Config.Quality.SampleRate)
	return runpod.Input{AudioURL: get.URL, Model: "spleeter", Variant: row.Config.ModelVariant, Stems: row.Config.WantedStems(),
		SampleRate: rate, Format: format, Outputs: outputs}, nil
}

// urlTTL covers the RunPod job's queue and run time (its ttl), capped at
// the 7 days presigned URLs allow.
func (w *StemWorker) urlTTL() time.Duration {
	ttl := w.deps.Stems.Policy.TTL
	if ttl <= 0 {
		ttl = 24 * time.Hour // RunPod's default ttl
	}
	return min(ttl+time.Hour, 7*24*time.Hour)
}

func (w *StemWorker) poll() time.Duration {
	if w.deps.Stems.Poll > 0 {
		return w.deps.Stems.Poll
	}
	return 5 * time.Second
}

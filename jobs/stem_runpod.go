package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/runpod"
	"phonoglyph/storage"
)

// runpod takes one step of a RunPod separation: dispatch once, then poll by
// snoozing until RunPod finishes.
func (w *stemWork) runpod(ctx context.Context, run *Run, row *phonoglyph.StemJob, source *phonoglyph.File) error {
	rp := w.deps.Stems.RunPod
	if row.ExternalID == nil {
		return run.Dispatch(ctx, Dispatch{
			Marked:      row.DispatchStarted,
			Interrupted: "The separation was interrupted while it was being sent to RunPod. Please start it again.",
			Unknown:     "RunPod did not answer the submission, so whether it started is unknown. Please start it again.",
			Submit:      func(ctx context.Context) (string, error) { return w.submit(ctx, row, source) },
			Progress:    5, // the dispatch's share; RunPod's work is the next 90 %
			Poll:        w.poll(),
		})
	}
	st, err := rp.Status(ctx, *row.ExternalID)
	if errors.Is(err, runpod.ErrNotFound) {
		return Fail("RunPod no longer knows this separation: it expired before finishing. Please start it again.")
	} else if errors.Is(err, runpod.ErrUnauthorized) {
		return Fail("Stem separation is misconfigured (RunPod refused the API key).")
	} else if wait, ok := runpod.IsRetryable(err); ok {
		return river.JobSnooze(max(wait, w.poll()))
	} else if err != nil {
		return err
	}
	if msg, failed := st.Failed(); failed {
		return Fail("Stem separation failed: " + msg + ".")
	}
	if st.State != runpod.StateCompleted {
		if st.Progress != nil {
			run.Progress(ctx, 5+int(st.Progress.Pct*0.9))
		}
		return river.JobSnooze(w.poll())
	}
	for _, stem := range row.Config.WantedStems() {
		if _, ok := st.Output.Stems[string(stem)]; !ok {
			return Failf("Stem separation finished without the %s stem.", stem)
		}
	}
	keys, err := w.seal(ctx, run, row, st.Output.Stems)
	if err != nil {
		return err
	}
	return w.finish(ctx, run, row, source, keys)
}

// seal copies every stem RunPod PUT to a key no URL was signed for
// (objectkey.SealedStem; S3 CopyObject or a local hard link): the stem
// files name the copies, so a PUT through a URL RunPod was given, valid for
// the ttl + 1 h, changes no stem that is served or analysed. A copy whose
// size is not what RunPod reports writing (out) was written over before
// the seal: the separation fails rather than serve it.
func (w *stemWork) seal(ctx context.Context, run *Run, row *phonoglyph.StemJob, out map[string]runpod.StemOutput) (map[phonoglyph.StemType]string, error) {
	format := row.Config.Quality.OutputFormat
	keys := map[phonoglyph.StemType]string{}
	for _, stem := range row.Config.WantedStems() {
		sealed := objectkey.SealedStem(row.UserID, row.ID, stem, format)
		run.Owns(sealed)
		info, err := storage.Seal(ctx, w.deps.Blobs, objectkey.Stem(row.UserID, row.ID, stem, format), sealed)
		if err != nil {
			return nil, fmt.Errorf("seal stem %s: %w", stem, err)
		}
		if want := out[string(stem)].Bytes; want > 0 && info.Size != want {
			return nil, Failf("The %s stem was changed after RunPod wrote it (%d bytes, RunPod wrote %d). Please start the separation again.", stem, info.Size, want)
		}
		keys[stem] = sealed
	}
	return keys, nil
}

// submit sends the separation to RunPod, saying for every error whether
// RunPod certainly did not take it.
func (w *stemWork) submit(ctx context.Context, row *phonoglyph.StemJob, source *phonoglyph.File) (string, error) {
	in, err := w.input(ctx, row, source)
	if err != nil {
		return "", NotSent(err, 0)
	}
	id, err := w.deps.Stems.RunPod.Run(ctx, in, w.deps.Stems.Policy)
	var re *runpod.RetryableError
	switch {
	case err == nil:
		return id, nil
	case errors.Is(err, runpod.ErrUnauthorized):
		return "", Fail("Stem separation is misconfigured (RunPod refused the API key).")
	case errors.As(err, &re) && re.Status != 0:
		// RunPod answered (429, 5xx): the job was not accepted.
		wait, _ := runpod.IsRetryable(err)
		return "", NotSent(err, max(wait, w.poll()))
	case errors.As(err, &re):
		return "", err // no answer: whether RunPod started it is unknown
	}
	return "", Failf("RunPod refused the separation: %v.", err)
}

// input is the job input for the GPU worker: a presigned GET of the source
// and a presigned PUT per wanted stem, valid for the job's whole life.
func (w *stemWork) input(ctx context.Context, row *phonoglyph.StemJob, source *phonoglyph.File) (runpod.Input, error) {
	ttl := w.urlTTL()
	get, err := w.deps.Blobs.SignGet(ctx, source.Key, "", ttl)
	if err != nil {
		return runpod.Input{}, err
	}
	format := row.Config.Quality.OutputFormat
	outputs := map[string]string{}
	var stems []string
	for _, stem := range row.Config.WantedStems() {
		put, err := w.deps.Blobs.SignPut(ctx, objectkey.Stem(row.UserID, row.ID, stem, format), runpod.ContentType(format), -1, ttl)
		if err != nil {
			return runpod.Input{}, err
		}
		outputs[string(stem)] = put.URL
		stems = append(stems, string(stem))
	}
	rate, _ := strconv.Atoi(row.Config.Quality.SampleRate)
	return runpod.Input{AudioURL: get.URL, Model: "spleeter", Variant: row.Config.ModelVariant, Stems: stems,
		SampleRate: rate, Format: format, Outputs: outputs}, nil
}

// urlTTL covers the RunPod job's queue and run time (its ttl), capped at
// the 7 days presigned URLs allow.
func (w *stemWork) urlTTL() time.Duration {
	ttl := w.deps.Stems.Policy.TTL
	if ttl <= 0 {
		ttl = 24 * time.Hour // RunPod's default ttl
	}
	return min(ttl+time.Hour, 7*24*time.Hour)
}

func (w *stemWork) poll() time.Duration {
	if w.deps.Stems.Poll > 0 {
		return w.deps.Stems.Poll
	}
	return 5 * time.Second
}

// CancelAtRunPod cancels a separation's RunPod job, when it has one and
// RunPod is configured. It is best effort and runs after the cancellation
// committed: the job's row is already cancelled whatever RunPod answers.
func (c *Client) CancelAtRunPod(ctx context.Context, j *phonoglyph.StemJob) {
	if j.ExternalID == nil || c.deps.Stems.RunPod == nil {
		return
	}
	if err := c.deps.Stems.RunPod.Cancel(ctx, *j.ExternalID); err != nil {
		c.log.WarnContext(ctx, "cancel at RunPod", "runpod_id", *j.ExternalID, "error", err)
	}
}

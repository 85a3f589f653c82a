package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/store"
)

// AnalysisWorker decodes an uploaded audio file and stores its analysis.
type AnalysisWorker struct {
	river.WorkerDefaults[AnalysisArgs]
	deps Deps
}

// Timeout bounds one attempt; a one-hour file decodes in seconds.
func (w *AnalysisWorker) Timeout(*river.Job[AnalysisArgs]) time.Duration { return 10 * time.Minute }

// Work runs one analysis attempt.
func (w *AnalysisWorker) Work(ctx context.Context, job *river.Job[AnalysisArgs]) error {
	a := job.Args
	db := w.deps.Store
	if err := db.StartAnalysisJob(ctx, a.JobID); errors.Is(err, store.ErrJobFinished) {
		return nil // cancelled or finished by someone else: nothing left to do
	} else if err != nil {
		return err
	}
	file, err := db.FileByID(ctx, a.UserID, a.FileID)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return river.JobCancel(errors.New("file was deleted"))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}

	started := time.Now()
	rc, info, err := w.deps.Blobs.Open(ctx, file.Key)
	if err != nil {
		return w.retry(ctx, job, fmt.Errorf("open %s: %w", file.Key, err))
	}
	defer rc.Close()
	hash := sha256.New()
	progress := &progressReader{r: io.TeeReader(rc, hash), total: info.Size, report: func(pct int) {
		_ = db.SetAnalysisProgress(ctx, a.JobID, pct)
	}}
	basic, err := dsp.AnalyzeBasic(progress, w.deps.AudioLimits)
	if errors.Is(err, dsp.ErrInvalid) {
		reason := strings.TrimPrefix(err.Error(), dsp.ErrInvalid.Error()+": ")
		return w.fail(ctx, job, fmt.Sprintf("The audio file could not be analysed: %s.", reason))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	// The decoder stops at the end of the audio data; hash the whole object.
	if _, err := io.Copy(io.Discard, progress); err != nil {
		return w.retry(ctx, job, err)
	}
	sum := hex.EncodeToString(hash.Sum(nil))

	analysis, err := basicAnalysis(basic)
	if err != nil {
		return err
	}
	analysis.ID = uuid.NewString()
	analysis.UserID, analysis.FileID, analysis.StemType = a.UserID, a.FileID, file.AnalysisStem()
	analysis.ContentSHA256 = &sum
	analysis.AnalysisDurationMS = int(time.Since(started).Milliseconds())

	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		q := store.WithTx(tx)
		if err := q.PutAnalysis(ctx, analysis); err != nil {
			return err
		}
		result, _ := json.Marshal(map[string]string{"analysis_id": analysis.ID, "stem_type": analysis.StemType})
		err := q.FinishAnalysisJob(ctx, a.JobID, phonoglyph.StatusCompleted, result, nil)
		if errors.Is(err, store.ErrJobFinished) {
			return nil // cancelled while running; the analysis is kept as a cache entry
		} else if err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

// fail ends the job permanently with a message for the file's owner.
func (w *AnalysisWorker) fail(ctx context.Context, job *river.Job[AnalysisArgs], msg string) error {
	if err := w.deps.Store.FinishAnalysisJob(ctx, job.Args.JobID, phonoglyph.StatusFailed, nil, &msg); err != nil &&
		!errors.Is(err, store.ErrJobFinished) {
		return err // the row could not be updated: let River retry the whole attempt
	}
	return river.JobCancel(errors.New(msg))
}

func (w *AnalysisWorker) retry(ctx context.Context, job *river.Job[AnalysisArgs], err error) error {
	return retryOrFail(job.Attempt, job.MaxAttempts, err, func(msg string) error {
		return w.deps.Store.FinishAnalysisJob(ctx, job.Args.JobID, phonoglyph.StatusFailed, nil, &msg)
	})
}

// progressReader reports read progress in 10 % steps.
type progressReader struct {
	r      io.Reader
	total  int64
	read   int64
	last   int
	report func(pct int)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if p.total > 0 {
		// Cap at 90: the last step is storing the result.
		if pct := int(p.read * 9 / p.total * 10); pct > p.last && pct <= 90 {
			p.last = pct
			p.report(pct)
		}
	}
	return n, err
}

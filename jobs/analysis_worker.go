package jobs

import (
	"bytes"
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
	"phonoglyph/storage"
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
	sum, err := w.hash(ctx, file.Key)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	stem := file.AnalysisStem()
	analysis, err := w.fromCache(ctx, sum, stem, file)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	if analysis == nil {
		if analysis, err = w.analyze(ctx, job, file, stem); err != nil {
			return err
		}
	}
	analysis.ContentSHA256 = &sum
	analysis.AnalysisDurationMS = int(time.Since(started).Milliseconds())
	if err := w.thumbnail(ctx, file, analysis.Waveform); err != nil {
		return w.retry(ctx, job, err)
	}

	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		q := store.WithTx(tx)
		if err := q.PutAnalysis(ctx, analysis); err != nil {
			return err
		}
		if err := q.SetThumbnail(ctx, file.ID, thumbnailKey(file.ID)); err != nil {
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

// hash is the SHA-256 of the file's bytes, the content cache's key.
func (w *AnalysisWorker) hash(ctx context.Context, key string) (string, error) {
	rc, _, err := w.deps.Blobs.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fromCache copies an analysis of the same bytes (any owner's) to file:
// its per-frame document is copied to the file's own key, so each owner's
// data lives and dies with their file. nil when there is none.
func (w *AnalysisWorker) fromCache(ctx context.Context, sum, stem string, file *phonoglyph.File) (*phonoglyph.Analysis, error) {
	hit, err := w.deps.Store.AnalysisByContent(ctx, sum, stem, AnalysisVersion)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil, nil
	} else if err != nil || hit.DataKey == nil {
		return nil, err
	}
	key := analysisDataKey(file.UserID, file.ID, stem)
	if *hit.DataKey != key {
		rc, info, err := w.deps.Blobs.Open(ctx, *hit.DataKey)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil // deleted meanwhile: analyse afresh
		} else if err != nil {
			return nil, err
		}
		defer rc.Close()
		if err := w.deps.Blobs.Put(ctx, key, rc, info.Size, "application/json"); err != nil {
			return nil, err
		}
	}
	cp := *hit
	cp.ID, cp.UserID, cp.FileID, cp.DataKey = uuid.NewString(), file.UserID, file.ID, &key
	return &cp, nil
}

// analyze decodes the file and runs the full extractor for its stem type,
// storing the per-frame document as a blob and the summary on the row.
func (w *AnalysisWorker) analyze(ctx context.Context, job *river.Job[AnalysisArgs], file *phonoglyph.File, stem string) (*phonoglyph.Analysis, error) {
	rc, info, err := w.deps.Blobs.Open(ctx, file.Key)
	if err != nil {
		return nil, w.retry(ctx, job, err)
	}
	defer rc.Close()
	progress := &progressReader{r: rc, total: info.Size, report: func(pct int) {
		_ = w.deps.Store.SetAnalysisProgress(ctx, job.Args.JobID, pct)
	}}
	dec, closer, err := dsp.OpenForAnalysis(progress, file.FileName, w.deps.AudioLimits)
	if err == nil {
		defer closer.Close()
	}
	var a *dsp.Analysis
	if err == nil {
		a, err = dsp.Analyze(dec, dsp.Options{Stem: stem})
	}
	switch {
	case errors.Is(err, dsp.ErrInvalid):
		reason := strings.TrimPrefix(err.Error(), dsp.ErrInvalid.Error()+": ")
		return nil, w.fail(ctx, job, fmt.Sprintf("The audio file could not be analysed: %s.", reason))
	case errors.Is(err, dsp.ErrNeedFFmpeg):
		return nil, w.fail(ctx, job, "This audio format needs ffmpeg, which this worker does not have.")
	case err != nil:
		return nil, w.retry(ctx, job, err)
	}
	data, err := fullData(a)
	if err != nil {
		return nil, err
	}
	key := analysisDataKey(file.UserID, file.ID, stem)
	if err := w.deps.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/json"); err != nil {
		return nil, w.retry(ctx, job, err)
	}
	summary, err := rowData(a)
	if err != nil {
		return nil, err
	}
	wave, err := waveformDoc(a)
	if err != nil {
		return nil, err
	}
	return &phonoglyph.Analysis{ID: uuid.NewString(), UserID: file.UserID, FileID: file.ID, StemType: stem,
		Version: AnalysisVersion, SampleRate: a.Summary.SampleRate, Duration: a.Summary.Duration, BufferSize: dsp.FrameSize,
		Features: a.Features, Data: summary, Waveform: wave, DataKey: &key}, nil
}

// thumbnail stores the waveform thumbnail PNG of the file.
func (w *AnalysisWorker) thumbnail(ctx context.Context, file *phonoglyph.File, waveformJSON []byte) error {
	wave, err := waveformOf(waveformJSON)
	if err != nil {
		return err
	}
	png, err := dsp.WaveformPNG(wave, 1024, 256)
	if err != nil {
		return err
	}
	return w.deps.Blobs.Put(ctx, thumbnailKey(file.ID), bytes.NewReader(png), int64(len(png)), "image/png")
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

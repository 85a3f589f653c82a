package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/runpod"
	"phonoglyph/separate"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// SeparateFunc separates the WAV read from r into the stems of variant at
// rate Hz in format (wav or mp3), writing each through open and reporting
// progress 0..1 (separate.Separate).
type SeparateFunc func(ctx context.Context, r io.Reader, variant string, rate int, format string, open func(stem string) (io.WriteCloser, error), progress func(float64)) error

// StemDeps configure stem separation: RunPod when RunPod is set, the local
// separator otherwise.
type StemDeps struct {
	RunPod        *runpod.Client
	Poll          time.Duration // between RunPod status polls; default 5 s
	Policy        runpod.Policy // execution timeout and ttl sent to RunPod
	LocalSeparate SeparateFunc
}

// StemWorker runs separations: it dispatches to RunPod and follows the job
// by snoozing, or separates locally, then stores every stem as a new file
// of the same owner and project and queues its analysis.
type StemWorker struct {
	river.WorkerDefaults[StemArgs]
	deps Deps
}

// Timeout bounds one attempt: a RunPod poll is quick, a local separation
// of a long track is not.
func (w *StemWorker) Timeout(*river.Job[StemArgs]) time.Duration { return 30 * time.Minute }

// Work runs one step of a separation.
func (w *StemWorker) Work(ctx context.Context, job *river.Job[StemArgs]) error {
	a := job.Args
	db := w.deps.Store
	if err := db.StartStemJob(ctx, a.JobID); errors.Is(err, store.ErrJobFinished) {
		return nil // cancelled or finished: nothing left to do
	} else if err != nil {
		return err
	}
	row, err := db.StemJob(ctx, a.UserID, a.JobID)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	source, err := db.FileByID(ctx, a.UserID, a.FileID)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return river.JobCancel(errors.New("source file was deleted"))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	if w.deps.Stems.RunPod != nil {
		return w.runpod(ctx, job, row, source)
	}
	return w.local(ctx, job, row, source)
}

// finish stores the stems as files, the job's results and one analysis job
// per stem, and completes the River job, all in one transaction: a crash
// before the commit leaves nothing, a crash after it leaves nothing to redo.
func (w *StemWorker) finish(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, source *phonoglyph.File) error {
	format := row.Config.Quality.OutputFormat
	results := &store.StemResults{Stems: map[string]string{}}
	var files []*phonoglyph.File
	for _, stem := range row.Config.WantedStems() {
		key := StemKey(row.UserID, row.ID, stem, format)
		info, err := w.deps.Blobs.Head(ctx, key)
		if err != nil {
			return w.retry(ctx, job, fmt.Errorf("stem %s: %w", stem, err))
		}
		stemType := stem
		f := &phonoglyph.File{ID: uuid.NewString(), UserID: row.UserID, ProjectID: source.ProjectID, ParentFileID: &source.ID,
			FileName: stemFileName(source.FileName, stem, format), FileType: "audio", MimeType: runpod.ContentType(format),
			FileSize: info.Size, Key: key, UploadStatus: phonoglyph.UploadCompleted, StemType: &stemType}
		files = append(files, f)
		results.Stems[stem] = f.ID
	}
	return pgx.BeginFunc(ctx, w.deps.Store.Pool, func(tx pgx.Tx) error {
		q := store.WithTx(tx)
		if err := q.FinishStemJob(ctx, row.ID, phonoglyph.StatusCompleted, results, nil); errors.Is(err, store.ErrJobFinished) {
			return nil // cancelled meanwhile: the cancellation cleans the stems up
		} else if err != nil {
			return err
		}
		client := workClient(ctx)
		for _, f := range files {
			if err := q.CreateFile(ctx, f); err != nil {
				return err
			}
			if _, err := client.RequestAnalysis(ctx, tx, f); err != nil {
				return err
			}
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

// fail ends the separation permanently with a message for its owner and
// frees whatever stems were already written.
func (w *StemWorker) fail(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, msg string) error {
	return failAndFree(ctx, w.deps.Store, StemKeys(row), msg, func(q *store.Queries) error {
		return q.FinishStemJob(ctx, row.ID, phonoglyph.StatusFailed, nil, &msg)
	})
}

// StemKeys are the objects a separation writes, one per wanted stem.
func StemKeys(row *store.StemJob) []string {
	var keys []string
	for _, stem := range row.Config.WantedStems() {
		keys = append(keys, StemKey(row.UserID, row.ID, stem, row.Config.Quality.OutputFormat))
	}
	return keys
}

func (w *StemWorker) retry(ctx context.Context, job *river.Job[StemArgs], err error) error {
	return retryOrFail(job.Attempt, job.MaxAttempts, err, func(msg string) error {
		return w.deps.Store.FinishStemJob(ctx, job.Args.JobID, phonoglyph.StatusFailed, nil, &msg)
	})
}

// local separates on this worker with the embedded separator.
func (w *StemWorker) local(ctx context.Context, job *river.Job[StemArgs], row *store.StemJob, source *phonoglyph.File) error {
	format := row.Config.Quality.OutputFormat
	rate, err := strconv.Atoi(row.Config.Quality.SampleRate)
	if err != nil {
		return w.fail(ctx, job, row, fmt.Sprintf("The sample rate %q is not a number.", row.Config.Quality.SampleRate))
	}
	wanted := map[string]bool{}
	for _, s := range row.Config.WantedStems() {
		wanted[s] = true
	}
	dir, err := os.MkdirTemp("", "stems-")
	if err != nil {
		return w.retry(ctx, job, err)
	}
	defer os.RemoveAll(dir)
	// The separator reads WAV: decode whatever was uploaded into one first.
	rc, _, err := w.deps.Blobs.Open(ctx, source.Key)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	wav := filepath.Join(dir, "source.wav")
	err = transcodeWAV(rc, source.FileName, wav, w.deps.AudioLimits)
	rc.Close()
	if isInvalidAudio(err) || errors.Is(err, dsp.ErrNeedFFmpeg) {
		return w.fail(ctx, job, row, fmt.Sprintf("The audio file could not be separated: %v.", err))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	src, err := os.Open(wav)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	defer src.Close()
	written := map[string]string{} // stem → temp file; the separator closes its writers
	open := func(stem string) (io.WriteCloser, error) {
		if !wanted[stem] {
			return nopWriteCloser{io.Discard}, nil
		}
		f, err := os.CreateTemp(dir, stem+"-*."+format)
		if err == nil {
			written[stem] = f.Name()
		}
		return f, err
	}
	last := 0
	progress := func(p float64) {
		if pct := int(p * 90); pct >= last+5 {
			last = pct
			_ = w.deps.Store.SetStemProgress(ctx, row.ID, pct)
		}
	}
	err = w.deps.Stems.LocalSeparate(ctx, src, row.Config.ModelVariant, rate, format, open, progress)
	if isInvalidAudio(err) {
		return w.fail(ctx, job, row, fmt.Sprintf("The audio file could not be separated: %v.", err))
	} else if errors.Is(err, separate.ErrNeedFFmpeg) || errors.Is(err, separate.ErrFormat) {
		return w.fail(ctx, job, row, fmt.Sprintf("The stems could not be written: %v.", err))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	for stem, name := range written {
		if err := putFile(ctx, w.deps.Blobs, name, StemKey(row.UserID, row.ID, stem, format), runpod.ContentType(format)); err != nil {
			return w.retry(ctx, job, err)
		}
	}
	return w.finish(ctx, job, row, source)
}

// putFile stores a local file (streamed; multipart on S3 when large).
func putFile(ctx context.Context, blobs storage.Blobs, name, key, contentType string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return blobs.Put(ctx, key, f, info.Size(), contentType)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// isInvalidAudio reports whether a separation failed because of its input,
// which retrying cannot fix.
func isInvalidAudio(err error) bool {
	return errors.Is(err, dsp.ErrInvalid)
}

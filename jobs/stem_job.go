package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/runpod"
	"phonoglyph/store"
)

// StemArgs are the River arguments of a stem separation; the rest lives in
// the stem_separation_jobs row.
type StemArgs struct {
	JobID  string `json:"job_id"`
	UserID string `json:"user_id"`
	FileID string `json:"file_id"`
}

// Kind implements river.JobArgs.
func (StemArgs) Kind() string { return string(phonoglyph.KindStemSeparation) }

// RowID implements Args.
func (a StemArgs) RowID() string { return a.JobID }

// InsertOpts puts separations on their own queue. Polling RunPod snoozes
// and uses no attempts; attempts count only real errors.
func (StemArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: string(phonoglyph.KindStemSeparation), MaxAttempts: 8}
}

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

// RequestStems records a separation of an audio file with cfg (normalised
// by the caller) and enqueues it in tx. Asking again for the same file and
// config while one is queued or running returns that job.
func (c *Client) RequestStems(ctx context.Context, tx *store.Tx, f *phonoglyph.File, cfg phonoglyph.StemConfig) (*phonoglyph.StemJob, error) {
	if f.FileType != phonoglyph.FileAudio {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "file_id: only audio files can be separated.")
	}
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "The upload of this file is not complete.")
	}
	job, created, err := tx.CreateStemJob(ctx, &phonoglyph.StemJob{
		Job: phonoglyph.Job{ID: uuid.NewString(), FileID: &f.ID}, UserID: f.UserID, FileKey: f.Key, Config: cfg,
	})
	if err != nil || !created {
		return job, err
	}
	return job, c.Enqueue(ctx, tx, store.StemJobs, StemArgs{JobID: job.ID, UserID: f.UserID, FileID: f.ID}, nil)
}

// stemKind runs separations: it dispatches to RunPod and follows the job by
// snoozing, or separates locally, then stores every stem as a new file of
// the same owner and project and queues its analysis. A RunPod poll is
// quick, a local separation of a long track is not.
func stemKind(c *Client) Kind[StemArgs] {
	w := &stemWork{deps: &c.deps}
	return Kind[StemArgs]{Table: store.StemJobs, Timeout: 30 * time.Minute, Work: w.work, Leftovers: stemLeftovers}
}

// stemLeftovers are what a separation may write: any stem, in either
// output format (the row that chose them is gone).
func stemLeftovers(a StemArgs) []string {
	var keys []string
	for _, stem := range phonoglyph.StemTypes {
		for _, format := range []string{"wav", "mp3"} {
			keys = append(keys, objectkey.Stem(a.UserID, a.JobID, stem, format))
		}
	}
	return keys
}

type stemWork struct{ deps *Deps }

func (w *stemWork) work(ctx context.Context, run *Run, a StemArgs) error {
	row, err := w.deps.Store.StemJob(ctx, a.UserID, a.JobID)
	if err != nil {
		return err
	}
	run.Owns(objectkey.Stems(row)...)
	source, err := w.deps.Store.FileByID(ctx, a.UserID, a.FileID)
	if err != nil {
		return err
	}
	if w.deps.Stems.RunPod != nil {
		return w.runpod(ctx, run, row, source)
	}
	return w.local(ctx, run, row, source)
}

// finish stores the stems (keys: each stem's sealed object, see
// objectkey.SealedStem) as files, the job's results and one analysis job per
// stem, with the job's completion and the deletion of the stems' PUT
// targets, which no row names. An attempt that lost its job frees its
// sealed copies at once; what a crash leaves is the sweep's.
func (w *stemWork) finish(ctx context.Context, run *Run, row *phonoglyph.StemJob, source *phonoglyph.File, keys map[phonoglyph.StemType]string) error {
	format := row.Config.Quality.OutputFormat
	results := &phonoglyph.StemResults{Stems: map[phonoglyph.StemType]string{}}
	var files []*phonoglyph.File
	for _, stem := range row.Config.WantedStems() {
		key := keys[stem]
		info, err := w.deps.Blobs.Head(ctx, key)
		if err != nil {
			return fmt.Errorf("stem %s: %w", stem, err)
		}
		f := &phonoglyph.File{ID: uuid.NewString(), UserID: row.UserID, ProjectID: source.ProjectID, ParentFileID: &source.ID,
			FileName: stemFileName(source.FileName, stem, format), FileType: phonoglyph.FileAudio, MimeType: runpod.ContentType(format),
			FileSize: info.Size, Key: key, UploadStatus: phonoglyph.UploadCompleted, StemType: &stem}
		files = append(files, f)
		results.Stems[stem] = f.ID
	}
	err := run.Complete(ctx, func(tx *store.Tx) error {
		for _, f := range files {
			if err := tx.CreateFile(ctx, f); err != nil {
				return err
			}
			if _, err := run.Client().ProcessFile(ctx, tx, f); err != nil {
				return err
			}
		}
		if err := tx.SetStemResults(ctx, row.ID, results); err != nil {
			return err
		}
		if w.deps.Stems.RunPod == nil {
			return nil // a local separation writes no PUT target
		}
		return run.Client().RequestCleanup(ctx, tx, objectkey.Stems(row))
	})
	if errors.Is(err, errTakenOver) || errors.Is(err, phonoglyph.ErrJobFinished) {
		// Rolled back for good: no row will ever name this attempt's copies.
		for _, key := range keys {
			if err := w.deps.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
				run.Client().log.WarnContext(ctx, "delete unused sealed stem", "key", key, "error", err)
			}
		}
	}
	return err
}

// stemFileName names a stem file after its source: "song (vocals).wav".
func stemFileName(source string, stem phonoglyph.StemType, format string) string {
	base := strings.TrimSuffix(source, path.Ext(source))
	return fmt.Sprintf("%s (%s).%s", base, stem, format)
}

package jobs

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"phonoglyph"
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
func (StemArgs) Kind() string { return phonoglyph.KindStemSeparation }

// InsertOpts puts separations on their own queue. Polling RunPod snoozes
// and uses no attempts; attempts count only real errors.
func (StemArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.KindStemSeparation, MaxAttempts: 8}
}

// RequestStems records a separation of an audio file with cfg (normalised
// by the caller) and enqueues it in tx. Asking again for the same file and
// config while one is queued or running returns that job.
func (c *Client) RequestStems(ctx context.Context, tx pgx.Tx, f *phonoglyph.File, cfg phonoglyph.StemConfig) (*store.StemJob, error) {
	if f.FileType != "audio" {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "file_id: only audio files can be separated.")
	}
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "The upload of this file is not complete.")
	}
	q := store.WithTx(tx)
	job, created, err := q.CreateStemJob(ctx, &store.StemJob{
		Job: phonoglyph.Job{ID: uuid.NewString(), FileID: &f.ID}, UserID: f.UserID, FileKey: f.Key, Config: cfg,
	})
	if err != nil || !created {
		return job, err
	}
	res, err := c.River.InsertTx(ctx, tx, StemArgs{JobID: job.ID, UserID: f.UserID, FileID: f.ID}, nil)
	if err != nil {
		return nil, fmt.Errorf("enqueue stem separation: %w", err)
	}
	return job, q.SetStemRiverID(ctx, job.ID, res.Job.ID)
}

// StemKey is where a job's stem lives: under the owner, named by the job, so
// a retried or rescued job writes the same objects and never a second set.
func StemKey(userID, jobID, stem, format string) string {
	return path.Join("stems", userID, jobID, stem+"."+format)
}

// stemFileName names a stem file after its source: "song (vocals).wav".
func stemFileName(source, stem, format string) string {
	base := strings.TrimSuffix(source, path.Ext(source))
	return fmt.Sprintf("%s (%s).%s", base, stem, format)
}

package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
)

// AnalysisArgs are the River arguments of an audio analysis: ids only, the
// rest lives in the audio_analysis_jobs row.
type AnalysisArgs struct {
	JobID  string `json:"job_id"`
	UserID string `json:"user_id"`
	FileID string `json:"file_id"`
}

// Kind implements river.JobArgs.
func (AnalysisArgs) Kind() string { return phonoglyph.KindAudioAnalysis }

// InsertOpts puts analyses on their own queue with a few retries for
// transient failures (bad input is cancelled at once instead).
func (AnalysisArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.KindAudioAnalysis, MaxAttempts: 5}
}

// RequestAnalysis records an analysis job for an audio file and enqueues it
// in tx, the caller's transaction, so the row and the River job commit or
// roll back together. A queued or running analysis of the same file, stem
// and version is returned instead of a new one.
func (c *Client) RequestAnalysis(ctx context.Context, tx pgx.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	if f.FileType != "audio" {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Only audio files can be analysed.")
	}
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "The upload of this file is not complete.")
	}
	q := store.WithTx(tx)
	job, created, err := q.CreateAnalysisJob(ctx, &store.AnalysisJob{
		Job:      phonoglyph.Job{ID: uuid.NewString(), FileID: &f.ID},
		UserID:   f.UserID,
		StemType: f.AnalysisStem(),
		Version:  AnalysisVersion,
	})
	if err != nil {
		return nil, fmt.Errorf("create analysis job: %w", err)
	}
	if !created {
		return &job.Job, nil
	}
	res, err := c.River.InsertTx(ctx, tx, AnalysisArgs{JobID: job.ID, UserID: f.UserID, FileID: f.ID}, nil)
	if err != nil {
		return nil, fmt.Errorf("enqueue analysis: %w", err)
	}
	if err := q.SetAnalysisRiverID(ctx, job.ID, res.Job.ID); err != nil {
		return nil, err
	}
	return &job.Job, nil
}

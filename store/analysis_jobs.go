package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// AnalysisJob is a row of audio_analysis_jobs.
type AnalysisJob struct {
	phonoglyph.Job
	UserID   string
	StemType string
	Version  string
}

const analysisJobColumns = `id::text, user_id::text, file_metadata_id::text, stem_type, analysis_version, status,
	progress, error, result, created_at, updated_at`

func scanAnalysisJob(row pgx.Row) (*AnalysisJob, error) {
	j := AnalysisJob{Job: phonoglyph.Job{Kind: phonoglyph.KindAudioAnalysis}}
	err := row.Scan(&j.ID, &j.UserID, &j.FileID, &j.StemType, &j.Version, &j.Status,
		&j.Progress, &j.Error, &j.Result, &j.CreatedAt, &j.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Job")
	}
	return &j, nil
}

// CreateAnalysisJob inserts a queued analysis job unless a live one (queued
// or processing) exists for the same file, stem and version; created reports
// which happened, and the live job is returned either way.
func (q *Queries) CreateAnalysisJob(ctx context.Context, j *AnalysisJob) (job *AnalysisJob, created bool, err error) {
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `
		INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (file_metadata_id, stem_type, analysis_version) WHERE status IN ('queued', 'processing') DO NOTHING
		RETURNING `+analysisJobColumns, j.ID, j.UserID, *j.FileID, j.StemType, j.Version))
	if err == nil {
		return job, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND stem_type = $2 AND analysis_version = $3 AND status IN ('queued', 'processing')`,
		*j.FileID, j.StemType, j.Version))
	return job, false, err
}

// SetAnalysisRiverID links an analysis job row to its River job.
func (q *Queries) SetAnalysisRiverID(ctx context.Context, id string, riverID int64) error {
	_, err := q.db.Exec(ctx, `UPDATE audio_analysis_jobs SET river_job_id = $2 WHERE id = $1`, id, riverID)
	return err
}

// AnalysisJob returns an analysis job of the user.
func (q *Queries) AnalysisJob(ctx context.Context, userID, id string) (*AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE id = $1 AND user_id = $2`, id, userID))
}

// LatestAnalysisJob returns the newest analysis job of a file for a stem type.
func (q *Queries) LatestAnalysisJob(ctx context.Context, userID, fileID, stem string) (*AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND user_id = $2 AND stem_type = $3 ORDER BY created_at DESC LIMIT 1`,
		fileID, userID, stem))
}

// ErrJobFinished is returned when a worker tries to move a job that already
// reached a terminal status (for example one cancelled by its owner).
var ErrJobFinished = errors.New("job already finished")

// StartAnalysisJob marks a queued job processing. A job that already reached
// a terminal status yields ErrJobFinished.
func (q *Queries) StartAnalysisJob(ctx context.Context, id string) error {
	return q.move(ctx, `UPDATE audio_analysis_jobs SET status = 'processing', progress = 0, error = NULL
		WHERE id = $1 AND status IN ('queued', 'processing')`, id)
}

// SetAnalysisProgress records progress 0..100 of a running job.
func (q *Queries) SetAnalysisProgress(ctx context.Context, id string, progress int) error {
	return q.move(ctx, `UPDATE audio_analysis_jobs SET progress = $2
		WHERE id = $1 AND status = 'processing'`, id, progress)
}

// FinishAnalysisJob moves a job to a terminal status with its result or
// error message.
func (q *Queries) FinishAnalysisJob(ctx context.Context, id, status string, result []byte, errMsg *string) error {
	progress := 0
	if status == phonoglyph.StatusCompleted {
		progress = 100
	}
	return q.move(ctx, `UPDATE audio_analysis_jobs SET status = $2, result = $3, error = $4,
		progress = GREATEST(progress, $5) WHERE id = $1 AND status IN ('queued', 'processing')`,
		id, status, result, errMsg, progress)
}

// move runs a status transition; no row changed means the job already
// reached a terminal status.
func (q *Queries) move(ctx context.Context, sql string, args ...any) error {
	tag, err := q.db.Exec(ctx, sql, args...)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrJobFinished
	}
	return err
}

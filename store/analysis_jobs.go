package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const analysisJobColumns = `id::text, user_id::text, file_metadata_id::text, stem_type, analysis_version, status,
	progress, error, result, created_at, updated_at`

func scanAnalysisJob(row pgx.Row) (*phonoglyph.AnalysisJob, error) {
	j := phonoglyph.AnalysisJob{Job: phonoglyph.Job{Kind: phonoglyph.KindAudioAnalysis}}
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
func (q *Queries) CreateAnalysisJob(ctx context.Context, j *phonoglyph.AnalysisJob) (job *phonoglyph.AnalysisJob, created bool, err error) {
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `
		INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (file_metadata_id, stem_type, analysis_version) WHERE `+live+` DO NOTHING
		RETURNING `+analysisJobColumns, j.ID, j.UserID, *j.FileID, j.StemType, j.Version))
	if err == nil {
		return job, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND stem_type = $2 AND analysis_version = $3 AND `+live,
		*j.FileID, j.StemType, j.Version))
	return job, false, err
}

// AnalysisJob returns an analysis job of the user.
func (q *Queries) AnalysisJob(ctx context.Context, userID, id string) (*phonoglyph.AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE id = $1 AND user_id = $2`, id, userID))
}

// LatestAnalysisJob returns the newest analysis job of a file for a stem type.
func (q *Queries) LatestAnalysisJob(ctx context.Context, userID, fileID string, stem phonoglyph.StemType) (*phonoglyph.AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND user_id = $2 AND stem_type = $3 ORDER BY created_at DESC LIMIT 1`,
		fileID, userID, stem))
}

// SetAnalysisResult records which analysis a finished job stored.
func (q *Queries) SetAnalysisResult(ctx context.Context, id string, a *phonoglyph.Analysis) error {
	result, err := json.Marshal(map[string]string{"analysis_id": a.ID, "stem_type": string(a.StemType)})
	if err != nil {
		return err
	}
	_, err = q.db.Exec(ctx, `UPDATE audio_analysis_jobs SET result = $2 WHERE id = $1`, id, result)
	return err
}

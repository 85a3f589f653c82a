package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// StemJob is a row of stem_separation_jobs.
type StemJob struct {
	phonoglyph.Job
	UserID          string                `json:"-"`
	FileKey         string                `json:"-"`
	Config          phonoglyph.StemConfig `json:"config"`
	ExternalID      *string               `json:"-"`
	DispatchStarted bool                  `json:"-"`
	Results         *StemResults          `json:"results"`
}

// StemResults are a finished separation's stems: name → new file id.
type StemResults struct {
	Stems map[string]string `json:"stems"`
}

const stemJobColumns = `id::text, user_id::text, file_metadata_id::text, file_key, status, config, progress, error,
	results, external_id, dispatch_started_at IS NOT NULL, created_at, updated_at`

func scanStemJob(row pgx.Row) (*StemJob, error) {
	j := StemJob{Job: phonoglyph.Job{Kind: phonoglyph.KindStemSeparation}}
	var cfg, results []byte
	err := row.Scan(&j.ID, &j.UserID, &j.FileID, &j.FileKey, &j.Status, &cfg, &j.Progress, &j.Error,
		&results, &j.ExternalID, &j.DispatchStarted, &j.CreatedAt, &j.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Stem job")
	}
	if err := json.Unmarshal(cfg, &j.Config); err != nil {
		return nil, err
	}
	if results != nil {
		if err := json.Unmarshal(results, &j.Results); err != nil {
			return nil, err
		}
		j.Result = results
	}
	return &j, nil
}

// CreateStemJob inserts a queued separation unless a live one exists for the
// same file and config; the live job is returned either way.
func (q *Queries) CreateStemJob(ctx context.Context, j *StemJob) (job *StemJob, created bool, err error) {
	cfg, err := json.Marshal(j.Config)
	if err != nil {
		return nil, false, err
	}
	job, err = scanStemJob(q.db.QueryRow(ctx, `
		INSERT INTO stem_separation_jobs (id, user_id, file_metadata_id, file_key, config)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (file_metadata_id, md5(config::text)) WHERE status IN ('queued', 'processing') DO NOTHING
		RETURNING `+stemJobColumns, j.ID, j.UserID, *j.FileID, j.FileKey, cfg))
	if err == nil {
		return job, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	job, err = scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs
		WHERE file_metadata_id = $1 AND md5(config::text) = md5($2::jsonb::text) AND status IN ('queued', 'processing')`,
		*j.FileID, cfg))
	return job, false, err
}

// SetStemRiverID links a stem job to its River job.
func (q *Queries) SetStemRiverID(ctx context.Context, id string, riverID int64) error {
	_, err := q.db.Exec(ctx, `UPDATE stem_separation_jobs SET river_job_id = $2 WHERE id = $1`, id, riverID)
	return err
}

// StemJob returns one of the user's stem jobs.
func (q *Queries) StemJob(ctx context.Context, userID, id string) (*StemJob, error) {
	return scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs WHERE id = $1 AND user_id = $2`, id, userID))
}

// StemJobForUpdate returns a stem job and locks it until the transaction ends.
func (q *Queries) StemJobForUpdate(ctx context.Context, userID, id string) (*StemJob, error) {
	return scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
}

// StemJobs lists the user's stem jobs newest first.
func (q *Queries) StemJobs(ctx context.Context, userID string, p Page) ([]*StemJob, error) {
	rows, err := q.db.Query(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs WHERE user_id = $1
		AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
		ORDER BY created_at DESC, id DESC LIMIT $4`, userID, cursorTime(p), cursorID(p), p.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*StemJob, error) { return scanStemJob(r) })
}

// StartStemJob marks a queued separation processing; ErrJobFinished when it
// already ended.
func (q *Queries) StartStemJob(ctx context.Context, id string) error {
	return q.move(ctx, `UPDATE stem_separation_jobs SET status = 'processing'
		WHERE id = $1 AND status IN ('queued', 'processing')`, id)
}

// MarkStemDispatch records that a RunPod submission is about to be sent. It
// reports false when one was already started: the caller must not submit
// again.
func (q *Queries) MarkStemDispatch(ctx context.Context, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE stem_separation_jobs SET dispatch_started_at = now()
		WHERE id = $1 AND dispatch_started_at IS NULL AND status = 'processing'`, id)
	return tag.RowsAffected() == 1, err
}

// SetStemExternalID commits the RunPod job id before polling begins.
func (q *Queries) SetStemExternalID(ctx context.Context, id, externalID string) error {
	return q.move(ctx, `UPDATE stem_separation_jobs SET external_id = $2 WHERE id = $1 AND status = 'processing'`, id, externalID)
}

// SetStemProgress records progress 0..100.
func (q *Queries) SetStemProgress(ctx context.Context, id string, progress int) error {
	return q.move(ctx, `UPDATE stem_separation_jobs SET progress = $2 WHERE id = $1 AND status = 'processing'`, id, progress)
}

// FinishStemJob moves a separation to a terminal status with its results or
// error message.
func (q *Queries) FinishStemJob(ctx context.Context, id, status string, results *StemResults, errMsg *string) error {
	var raw []byte
	if results != nil {
		var err error
		if raw, err = json.Marshal(results); err != nil {
			return err
		}
	}
	return q.move(ctx, `UPDATE stem_separation_jobs SET status = $2, results = $3, error = $4,
		progress = CASE WHEN $2 = 'completed' THEN 100 ELSE progress END
		WHERE id = $1 AND status IN ('queued', 'processing')`, id, status, raw, errMsg)
}

// ClearStemDispatch removes the dispatch mark after a submission RunPod
// certainly refused, so a retry may submit.
func (q *Queries) ClearStemDispatch(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, `UPDATE stem_separation_jobs SET dispatch_started_at = NULL WHERE id = $1 AND external_id IS NULL`, id)
	return err
}

// StemRiverID returns the River job id of a stem job (0 if none).
func (q *Queries) StemRiverID(ctx context.Context, id string) (int64, error) {
	var riverID *int64
	err := q.db.QueryRow(ctx, `SELECT river_job_id FROM stem_separation_jobs WHERE id = $1`, id).Scan(&riverID)
	if riverID == nil {
		return 0, err
	}
	return *riverID, err
}

package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const stemJobColumns = `id::text, user_id::text, file_metadata_id::text, file_key, status, config, progress, error,
	results, external_id, dispatch_started_at IS NOT NULL, created_at, updated_at`

func scanStemJob(row pgx.Row) (*phonoglyph.StemJob, error) {
	j := phonoglyph.StemJob{Job: phonoglyph.Job{Kind: phonoglyph.KindStemSeparation}}
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
func (q *Queries) CreateStemJob(ctx context.Context, j *phonoglyph.StemJob) (job *phonoglyph.StemJob, created bool, err error) {
	cfg, err := json.Marshal(j.Config)
	if err != nil {
		return nil, false, err
	}
	job, err = scanStemJob(q.db.QueryRow(ctx, `
		INSERT INTO stem_separation_jobs (id, user_id, file_metadata_id, file_key, config)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (file_metadata_id, md5(config::text)) WHERE `+live+` DO NOTHING
		RETURNING `+stemJobColumns, j.ID, j.UserID, *j.FileID, j.FileKey, cfg))
	if err == nil {
		return job, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	job, err = scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs
		WHERE file_metadata_id = $1 AND md5(config::text) = md5($2::jsonb::text) AND `+live,
		*j.FileID, cfg))
	return job, false, err
}

// StemJob returns one of the user's stem jobs.
func (q *Queries) StemJob(ctx context.Context, userID, id string) (*phonoglyph.StemJob, error) {
	return scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs WHERE id = $1 AND user_id = $2`, id, userID))
}

// StemJobForUpdate returns a stem job and locks it until the transaction ends.
func (q *Queries) StemJobForUpdate(ctx context.Context, userID, id string) (*phonoglyph.StemJob, error) {
	return scanStemJob(q.db.QueryRow(ctx, `SELECT `+stemJobColumns+` FROM stem_separation_jobs WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
}

// stemJobsPage is one keyset page of stemjobs (see keyset.go).
const stemJobsPage = `SELECT ` + stemJobColumns + ` FROM stem_separation_jobs WHERE user_id = $1
		AND (stem_separation_jobs.created_at, stem_separation_jobs.id) < ($2::timestamptz, $3::uuid)
		ORDER BY stem_separation_jobs.created_at DESC, stem_separation_jobs.id DESC LIMIT $4`

// StemJobs lists the user's stem jobs newest first.
func (q *Queries) StemJobs(ctx context.Context, userID string, p phonoglyph.Page) ([]*phonoglyph.StemJob, error) {
	return keysetPage(ctx, q, stemJobsPage, []any{userID, cursorTime(p), cursorID(p), p.Limit}, scanStemJob)
}

// SetStemResults records the stem files a finished separation created.
func (q *Queries) SetStemResults(ctx context.Context, id string, results *phonoglyph.StemResults) error {
	raw, err := json.Marshal(results)
	if err != nil {
		return err
	}
	_, err = q.db.Exec(ctx, `UPDATE stem_separation_jobs SET results = $2 WHERE id = $1`, id, raw)
	return err
}

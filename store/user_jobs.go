package store

import (
	"context"

	"phonoglyph"
)

// Job returns any kind of the caller's jobs through the user_jobs view.
func (q *Queries) Job(ctx context.Context, userID, id string) (*phonoglyph.Job, error) {
	var j phonoglyph.Job
	err := q.db.QueryRow(ctx, `SELECT id::text, kind, status, progress, error, result, file_id::text, created_at, updated_at
		FROM user_jobs WHERE id = $1 AND user_id = $2`, id, userID,
	).Scan(&j.ID, &j.Kind, &j.Status, &j.Progress, &j.Error, &j.Result, &j.FileID, &j.CreatedAt, &j.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Job")
	}
	return &j, nil
}

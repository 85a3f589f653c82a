package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const renderColumns = `id::text, user_id::text, project_id, project_name, status, progress, error, output_file_id::text,
	costs, expires_at, request, render_id, bucket_name, dispatch_started_at IS NOT NULL, created_at, updated_at`

func scanRender(row pgx.Row) (*phonoglyph.Render, error) {
	var r phonoglyph.Render
	var req []byte
	err := row.Scan(&r.ID, &r.UserID, &r.ProjectID, &r.ProjectName, &r.Status, &r.Progress, &r.Error, &r.OutputFileID,
		&r.Costs, &r.ExpiresAt, &req, &r.RenderID, &r.BucketName, &r.Dispatched, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Render")
	}
	return &r, json.Unmarshal(req, &r.Request)
}

// CreateRender inserts a queued render.
func (q *Queries) CreateRender(ctx context.Context, r *phonoglyph.Render) error {
	req, err := json.Marshal(r.Request)
	if err != nil {
		return err
	}
	return q.db.QueryRow(ctx, `INSERT INTO renders (id, user_id, project_id, project_name, request)
		VALUES ($1, $2, $3, $4, $5) RETURNING status, created_at, updated_at`,
		r.ID, r.UserID, r.ProjectID, r.ProjectName, req).Scan(&r.Status, &r.CreatedAt, &r.UpdatedAt)
}

// SetRenderRiverID links a render to its River job.
func (q *Queries) SetRenderRiverID(ctx context.Context, id string, riverID int64) error {
	_, err := q.db.Exec(ctx, `UPDATE renders SET river_job_id = $2 WHERE id = $1`, id, riverID)
	return err
}

// Render returns one of the user's renders.
func (q *Queries) Render(ctx context.Context, userID, id string) (*phonoglyph.Render, error) {
	return scanRender(q.db.QueryRow(ctx, `SELECT `+renderColumns+` FROM renders WHERE id = $1 AND user_id = $2`, id, userID))
}

// RenderForUpdate returns one of the user's renders, locked until the
// transaction ends, with its River job id.
func (q *Queries) RenderForUpdate(ctx context.Context, userID, id string) (*phonoglyph.Render, int64, error) {
	var riverID *int64
	r, err := scanRender(q.db.QueryRow(ctx, `SELECT `+renderColumns+` FROM renders WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
	if err != nil {
		return nil, 0, err
	}
	err = q.db.QueryRow(ctx, `SELECT river_job_id FROM renders WHERE id = $1`, id).Scan(&riverID)
	if riverID == nil {
		return r, 0, err
	}
	return r, *riverID, err
}

// Renders lists the user's renders newest first (keyset on created_at).
func (q *Queries) Renders(ctx context.Context, userID string, p Page) ([]*phonoglyph.Render, error) {
	rows, err := q.db.Query(ctx, `SELECT `+renderColumns+` FROM renders WHERE user_id = $1
		AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
		ORDER BY created_at DESC, id DESC LIMIT $4`, userID, cursorTime(p), cursorID(p), p.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.Render, error) { return scanRender(r) })
}

// StartRender marks a queued render processing; ErrJobFinished once ended.
func (q *Queries) StartRender(ctx context.Context, id string) error {
	return q.move(ctx, `UPDATE renders SET status = 'processing' WHERE id = $1 AND status IN ('queued', 'processing')`, id)
}

// MarkRenderDispatch records that a Lambda start is about to be sent; false
// when one already was (the caller must not start again).
func (q *Queries) MarkRenderDispatch(ctx context.Context, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE renders SET dispatch_started_at = now()
		WHERE id = $1 AND dispatch_started_at IS NULL AND status = 'processing'`, id)
	return tag.RowsAffected() == 1, err
}

// ClearRenderDispatch removes the mark after a start Lambda certainly
// refused (throttled), so a retry may start.
func (q *Queries) ClearRenderDispatch(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, `UPDATE renders SET dispatch_started_at = NULL WHERE id = $1 AND render_id IS NULL`, id)
	return err
}

// SetRenderStarted commits Remotion's renderId and bucket before polling.
func (q *Queries) SetRenderStarted(ctx context.Context, id, renderID, bucket, function string) error {
	return q.move(ctx, `UPDATE renders SET render_id = $2, bucket_name = $3, function_name = $4
		WHERE id = $1 AND status = 'processing'`, id, renderID, bucket, function)
}

// SetRenderProgress records progress 0..100 and the cost so far.
func (q *Queries) SetRenderProgress(ctx context.Context, id string, progress int, costs json.RawMessage) error {
	return q.move(ctx, `UPDATE renders SET progress = $2, costs = COALESCE($3, costs) WHERE id = $1 AND status = 'processing'`,
		id, progress, costs)
}

// CompleteRender records the stored output, where the renderer left it
// (outputURL, "" for local renders), costs and expiry.
func (q *Queries) CompleteRender(ctx context.Context, id, outputFileID, outputURL string, costs json.RawMessage, expires time.Time) error {
	return q.move(ctx, `UPDATE renders SET status = 'completed', progress = 100, output_file_id = $2, output_url = NULLIF($3, ''),
		costs = COALESCE($4, costs), expires_at = $5 WHERE id = $1 AND status = 'processing'`, id, outputFileID, outputURL, costs, expires)
}

// FinishRender moves a render to failed or cancelled with a message.
func (q *Queries) FinishRender(ctx context.Context, id, status string, errMsg *string) error {
	return q.move(ctx, `UPDATE renders SET status = $2, error = $3 WHERE id = $1 AND status IN ('queued', 'processing')`,
		id, status, errMsg)
}

// ExpiredRenderOutputs returns up to limit expired renders' output file ids
// with their owners, for the expiry job.
func (q *Queries) ExpiredRenderOutputs(ctx context.Context, now time.Time, limit int) (ids, owners []string, err error) {
	rows, err := q.db.Query(ctx, `SELECT output_file_id::text, user_id::text FROM renders
		WHERE expires_at < $1 AND output_file_id IS NOT NULL ORDER BY expires_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, owner string
		if err := rows.Scan(&id, &owner); err != nil {
			return nil, nil, err
		}
		ids, owners = append(ids, id), append(owners, owner)
	}
	return ids, owners, rows.Err()
}

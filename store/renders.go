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

// Render returns one of the user's renders.
func (q *Queries) Render(ctx context.Context, userID, id string) (*phonoglyph.Render, error) {
	return scanRender(q.db.QueryRow(ctx, `SELECT `+renderColumns+` FROM renders WHERE id = $1 AND user_id = $2`, id, userID))
}

// RenderForUpdate returns one of the user's renders, locked until the
// transaction ends.
func (q *Queries) RenderForUpdate(ctx context.Context, userID, id string) (*phonoglyph.Render, error) {
	return scanRender(q.db.QueryRow(ctx, `SELECT `+renderColumns+` FROM renders WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
}

// rendersPage is one keyset page of renders (see keyset.go).
const rendersPage = `SELECT ` + renderColumns + ` FROM renders WHERE user_id = $1
		AND (renders.created_at, renders.id) < ($2::timestamptz, $3::uuid)
		ORDER BY renders.created_at DESC, renders.id DESC LIMIT $4`

// Renders lists the user's renders newest first (keyset on created_at).
func (q *Queries) Renders(ctx context.Context, userID string, p phonoglyph.Page) ([]*phonoglyph.Render, error) {
	return keysetPage(ctx, q, rendersPage, []any{userID, cursorTime(p), cursorID(p), p.Limit}, scanRender)
}

// SetRenderBucket records where Lambda renders (Remotion's bucket) and
// with which function, in the transaction that commits the renderId.
func (q *Queries) SetRenderBucket(ctx context.Context, id, bucket, function string) error {
	_, err := q.db.Exec(ctx, `UPDATE renders SET bucket_name = $2, function_name = $3 WHERE id = $1`, id, bucket, function)
	return err
}

// SetRenderCosts records the cost of a render so far.
func (q *Queries) SetRenderCosts(ctx context.Context, id string, costs json.RawMessage) error {
	_, err := q.db.Exec(ctx, `UPDATE renders SET costs = COALESCE($2, costs) WHERE id = $1`, id, costs)
	return err
}

// SetRenderOutput records a finished render's stored output, where the
// renderer left it (outputURL, "" for local renders), its costs and expiry.
func (q *Queries) SetRenderOutput(ctx context.Context, id, outputFileID, outputURL string, costs json.RawMessage, expires time.Time) error {
	_, err := q.db.Exec(ctx, `UPDATE renders SET output_file_id = $2, output_url = NULLIF($3, ''),
		costs = COALESCE($4, costs), expires_at = $5 WHERE id = $1`, id, outputFileID, outputURL, costs, expires)
	return err
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

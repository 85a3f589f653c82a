package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// SaveEditState stores the next version of a user's editor state for a
// project, makes it current and keeps only the newest keep versions. Run it
// in a transaction that holds the project's row lock (ProjectForUpdate) so
// concurrent saves from two tabs get consecutive versions.
func (q *Queries) SaveEditState(ctx context.Context, userID, projectID, id string, data json.RawMessage, keep int) (*phonoglyph.EditState, error) {
	if _, err := q.db.Exec(ctx, `UPDATE edit_states SET is_current = false
		WHERE project_id = $1 AND user_id = $2 AND is_current`, projectID, userID); err != nil {
		return nil, err
	}
	st := phonoglyph.EditState{ID: id, ProjectID: projectID, IsCurrent: true}
	err := q.db.QueryRow(ctx, `
		INSERT INTO edit_states (id, project_id, user_id, version, data, is_current)
		SELECT $1, $2, $3, COALESCE(max(version), 0) + 1, $4, true FROM edit_states WHERE project_id = $2 AND user_id = $3
		RETURNING version, created_at`, id, projectID, userID, data).Scan(&st.Version, &st.CreatedAt)
	if err != nil {
		return nil, err
	}
	_, err = q.db.Exec(ctx, `DELETE FROM edit_states WHERE project_id = $1 AND user_id = $2 AND version <= $3`,
		projectID, userID, st.Version-keep)
	return &st, err
}

// EditStates lists a user's saved versions of a project, newest first,
// without their data.
func (q *Queries) EditStates(ctx context.Context, userID, projectID string, limit, offset int) ([]*phonoglyph.EditState, error) {
	rows, err := q.db.Query(ctx, `SELECT id::text, project_id, version, is_current, created_at FROM edit_states
		WHERE project_id = $1 AND user_id = $2 ORDER BY version DESC LIMIT $3 OFFSET $4`, projectID, userID, limit, offset)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.EditState, error) {
		var s phonoglyph.EditState
		return &s, r.Scan(&s.ID, &s.ProjectID, &s.Version, &s.IsCurrent, &s.CreatedAt)
	})
}

// EditState returns one saved version with its data; id "" means the
// current one.
func (q *Queries) EditState(ctx context.Context, userID, projectID, id string) (*phonoglyph.EditState, error) {
	var s phonoglyph.EditState
	err := q.db.QueryRow(ctx, `SELECT id::text, project_id, version, data, is_current, created_at FROM edit_states
		WHERE project_id = $1 AND user_id = $2 AND (CASE WHEN $3 = '' THEN is_current ELSE id::text = $3 END)`,
		projectID, userID, id).Scan(&s.ID, &s.ProjectID, &s.Version, &s.Data, &s.IsCurrent, &s.CreatedAt)
	if err != nil {
		return nil, notFound(err, "Saved state")
	}
	return &s, nil
}

// RestoreEditState makes one saved version current (under the project lock).
func (q *Queries) RestoreEditState(ctx context.Context, userID, projectID, id string) (*phonoglyph.EditState, error) {
	if _, err := q.EditState(ctx, userID, projectID, id); err != nil {
		return nil, err
	}
	// Two statements: the one-current unique index is checked row by row.
	if _, err := q.db.Exec(ctx, `UPDATE edit_states SET is_current = false
		WHERE project_id = $1 AND user_id = $2 AND is_current`, projectID, userID); err != nil {
		return nil, err
	}
	if _, err := q.db.Exec(ctx, `UPDATE edit_states SET is_current = true WHERE id::text = $1`, id); err != nil {
		return nil, err
	}
	return q.EditState(ctx, userID, projectID, id)
}

// DeleteEditStates deletes one saved version, or every version when id is "".
func (q *Queries) DeleteEditStates(ctx context.Context, userID, projectID, id string) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM edit_states WHERE project_id = $1 AND user_id = $2 AND ($3 = '' OR id::text = $3)`,
		projectID, userID, id)
	if err == nil && id != "" && tag.RowsAffected() == 0 {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "Saved state not found.")
	}
	return err
}

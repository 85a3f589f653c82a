package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const fileColumns = `id::text, user_id::text, project_id, parent_file_id::text, file_name, file_type, mime_type,
	file_size, s3_key, upload_status, upload_error, is_master, stem_type, created_at, updated_at`

func scanFile(row pgx.Row) (*phonoglyph.File, error) {
	var f phonoglyph.File
	err := row.Scan(&f.ID, &f.UserID, &f.ProjectID, &f.ParentFileID, &f.FileName, &f.FileType, &f.MimeType,
		&f.FileSize, &f.Key, &f.UploadStatus, &f.UploadError, &f.IsMaster, &f.StemType, &f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "File")
	}
	return &f, nil
}

// CreateFile inserts a new file row and fills its timestamps.
func (q *Queries) CreateFile(ctx context.Context, f *phonoglyph.File) error {
	return q.db.QueryRow(ctx, `
		INSERT INTO file_metadata (id, user_id, project_id, parent_file_id, file_name, file_type, mime_type,
			file_size, s3_key, upload_status, is_master, stem_type)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING created_at, updated_at`,
		f.ID, f.UserID, f.ProjectID, f.ParentFileID, f.FileName, f.FileType, f.MimeType,
		f.FileSize, f.Key, f.UploadStatus, f.IsMaster, f.StemType,
	).Scan(&f.CreatedAt, &f.UpdatedAt)
}

// FileByID returns the caller's file.
func (q *Queries) FileByID(ctx context.Context, userID, id string) (*phonoglyph.File, error) {
	return scanFile(q.db.QueryRow(ctx, `SELECT `+fileColumns+` FROM file_metadata WHERE id = $1 AND user_id = $2`, id, userID))
}

// FileForUpdate returns the caller's file and locks its row until the
// transaction ends, so two completions of one upload cannot race.
func (q *Queries) FileForUpdate(ctx context.Context, userID, id string) (*phonoglyph.File, error) {
	return scanFile(q.db.QueryRow(ctx, `SELECT `+fileColumns+` FROM file_metadata WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
}

// Page is a keyset position in a newest-first listing.
type Page struct {
	Limit  int
	Before *Cursor
}

// Cursor is the (created_at, id) of the last row of a previous page.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// Files lists the caller's files newest first.
func (q *Queries) Files(ctx context.Context, userID string, p Page) ([]*phonoglyph.File, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if p.Before == nil {
		rows, err = q.db.Query(ctx, `SELECT `+fileColumns+` FROM file_metadata WHERE user_id = $1
			ORDER BY created_at DESC, id DESC LIMIT $2`, userID, p.Limit)
	} else {
		rows, err = q.db.Query(ctx, `SELECT `+fileColumns+` FROM file_metadata WHERE user_id = $1
			AND (created_at, id) < ($2, $3::uuid) ORDER BY created_at DESC, id DESC LIMIT $4`,
			userID, p.Before.CreatedAt, p.Before.ID, p.Limit)
	}
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.File, error) { return scanFile(r) })
}

// SetUploadStatus records the outcome of an upload; errMsg is nil on success.
func (q *Queries) SetUploadStatus(ctx context.Context, userID, id, status string, errMsg *string) error {
	tag, err := q.db.Exec(ctx, `UPDATE file_metadata SET upload_status = $3, upload_error = $4
		WHERE id = $1 AND user_id = $2`, id, userID, status, errMsg)
	if err == nil && tag.RowsAffected() == 0 {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "File not found.")
	}
	return err
}

// DeleteFile removes the caller's file row and, by cascade, its derived rows
// (stems, analyses, jobs). It returns the storage keys of the file and of
// every file derived from it, for the caller to delete from blob storage.
func (q *Queries) DeleteFile(ctx context.Context, userID, id string) ([]string, error) {
	rows, err := q.db.Query(ctx, `
		WITH RECURSIVE tree AS (
			SELECT id, s3_key, thumbnail_key FROM file_metadata WHERE id = $1 AND user_id = $2
			UNION ALL
			SELECT f.id, f.s3_key, f.thumbnail_key FROM file_metadata f JOIN tree t ON f.parent_file_id = t.id
		)
		SELECT s3_key, thumbnail_key FROM tree`, id, userID)
	if err != nil {
		return nil, err
	}
	var keys []string
	for rows.Next() {
		var key string
		var thumb *string
		if err := rows.Scan(&key, &thumb); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, key)
		if thumb != nil {
			keys = append(keys, *thumb)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, phonoglyph.Errorf(phonoglyph.ENOTFOUND, "File not found.")
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM file_metadata WHERE id = $1 AND user_id = $2`, id, userID); err != nil {
		return nil, err
	}
	return keys, nil
}

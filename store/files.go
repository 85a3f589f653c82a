package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
	"phonoglyph/objectkey"
)

const fileColumns = `id::text, user_id::text, project_id, parent_file_id::text, file_name, file_type, mime_type,
	file_size, s3_key, upload_status, upload_error, is_master, stem_type, thumbnail_key, created_at, updated_at`

func scanFile(row pgx.Row) (*phonoglyph.File, error) {
	var f phonoglyph.File
	err := row.Scan(&f.ID, &f.UserID, &f.ProjectID, &f.ParentFileID, &f.FileName, &f.FileType, &f.MimeType,
		&f.FileSize, &f.Key, &f.UploadStatus, &f.UploadError, &f.IsMaster, &f.StemType, &f.ThumbnailKey, &f.CreatedAt, &f.UpdatedAt)
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

// cursorTime and cursorID are a page's keyset bounds, nil on the first page.
// filesPage is one keyset page of files (see keyset.go).
const filesPage = `SELECT ` + fileColumns + ` FROM file_metadata
		WHERE user_id = $1 AND ($2 = '' OR project_id = $2)
		AND (file_metadata.created_at, file_metadata.id) < ($3::timestamptz, $4::uuid)
		ORDER BY file_metadata.created_at DESC, file_metadata.id DESC LIMIT $5`

// Files lists the caller's files newest first; a non-empty projectID keeps
// only that project's files.
func (q *Queries) Files(ctx context.Context, userID, projectID string, p phonoglyph.Page) ([]*phonoglyph.File, error) {
	return keysetPage(ctx, q, filesPage, []any{userID, projectID, cursorTime(p), cursorID(p), p.Limit}, scanFile)
}

// SetUploadStatus records the outcome of an upload; errMsg is nil on success.
func (q *Queries) SetUploadStatus(ctx context.Context, userID, id string, status phonoglyph.UploadStatus, errMsg *string) error {
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
	keys, err := q.deleteFiles(ctx, `SELECT id FROM file_metadata WHERE id = $1 AND user_id = $2`, id, userID)
	if err == nil && len(keys) == 0 {
		return nil, phonoglyph.Errorf(phonoglyph.ENOTFOUND, "File not found.")
	}
	return keys, err
}

// deleteFiles deletes the files selected by roots (a query returning ids) and
// returns the object keys of those files and all their descendants (objects,
// thumbnails, analysis documents), whose rows go by cascade.
func (q *Queries) deleteFiles(ctx context.Context, roots string, args ...any) ([]string, error) {
	rows, err := q.db.Query(ctx, `
		WITH RECURSIVE root AS (`+roots+`),
		tree AS (
			SELECT f.id, f.s3_key, f.thumbnail_key FROM file_metadata f JOIN root r ON f.id = r.id
			UNION ALL
			SELECT f.id, f.s3_key, f.thumbnail_key FROM file_metadata f JOIN tree t ON f.parent_file_id = t.id
		),
		gone AS (DELETE FROM file_metadata WHERE id IN (SELECT id FROM root))
		SELECT s3_key FROM tree
		UNION SELECT thumbnail_key FROM tree WHERE thumbnail_key IS NOT NULL
		UNION SELECT a.data_key FROM audio_analysis_cache a JOIN tree t ON a.file_metadata_id = t.id WHERE a.data_key IS NOT NULL`, args...)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(keys) == 0 {
		return keys, err
	}
	// Analysis documents and thumbnails are shared by every file with the
	// same content: free only those nothing else names. This must be a
	// statement of its own, after the delete: it then sees every reference
	// committed while the delete waited for the rows an analysis job was
	// sharing (ShareAnalysis), and the job sees this deletion.
	return q.Unreferenced(ctx, keys)
}

// Unreferenced returns the keys among keys that no file (its object or
// thumbnail) and no analysis (its document) names: the objects that may be
// freed.
func (q *Queries) Unreferenced(ctx context.Context, keys []string) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT k FROM unnest($1::text[]) AS k
		WHERE NOT EXISTS (SELECT 1 FROM file_metadata f WHERE f.s3_key = k OR f.thumbnail_key = k)
		AND NOT EXISTS (SELECT 1 FROM audio_analysis_cache a WHERE a.data_key = k)`, keys)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// DeleteAbandonedUploads deletes file rows still uploading that were
// declared before cutoff (their upload URL has expired) and returns their
// object keys.
func (q *Queries) DeleteAbandonedUploads(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	return q.deleteFiles(ctx, `SELECT id FROM file_metadata WHERE upload_status = 'uploading' AND created_at < $1
		ORDER BY created_at LIMIT $2`, cutoff, limit)
}

// UnknownKeys returns the keys among keys that no file row names.
func (q *Queries) UnknownKeys(ctx context.Context, keys []string) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT k FROM unnest($1::text[]) AS k
		WHERE NOT EXISTS (SELECT 1 FROM file_metadata f WHERE f.s3_key = k OR f.thumbnail_key = k)`, keys)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// SealUpload completes an uploading file in one statement: the file now
// names its sealed copy (objectkey.Sealed), which no URL can write, and the
// row stays locked until the transaction ends. It returns the completed
// file; when the file had already left uploading (a concurrent completion
// won, waited for here), it returns the file as it is and sealed false.
func (q *Queries) SealUpload(ctx context.Context, userID, id, sealedKey string) (f *phonoglyph.File, sealed bool, err error) {
	f, err = scanFile(q.db.QueryRow(ctx, `UPDATE file_metadata SET upload_status = 'completed', upload_error = NULL, s3_key = $3
		WHERE id = $1 AND user_id = $2 AND upload_status = 'uploading' RETURNING `+fileColumns, id, userID, sealedKey))
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return f, err == nil, err
	}
	f, err = q.FileByID(ctx, userID, id)
	return f, false, err
}

// UploadClosed reports whether the upload key may no longer be written: a
// file names it and has left `uploading`, or a file names one of its sealed
// copies (objectkey.Sealed). It is the local blob handler's write check
// (storage.Local.RefuseWrites).
func (q *Queries) UploadClosed(ctx context.Context, key string) (bool, error) {
	var closed bool
	err := q.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM file_metadata
		WHERE (s3_key = $1 AND upload_status <> 'uploading') OR starts_with(s3_key, $2))`, key, objectkey.SealedPrefix(key)).Scan(&closed)
	return closed, err
}

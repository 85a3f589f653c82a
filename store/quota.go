package store

import "context"

// LockUserQuota takes the user's quota lock until the transaction ends, so
// two requests of one user cannot both pass a quota check and then both
// insert. It is a transaction-scoped advisory lock, always taken first in a
// transaction, before any row lock (one lock order).
func (q *Queries) LockUserQuota(ctx context.Context, userID string) error {
	_, err := q.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('quota:' || $1::text, 0))`, userID)
	return err
}

// StoredBytes is the size of the user's files that are uploading or
// uploaded (a declaration counts while its bytes are on their way).
func (q *Queries) StoredBytes(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := q.db.QueryRow(ctx, `SELECT COALESCE(SUM(file_size), 0)::bigint FROM file_metadata
		WHERE user_id = $1 AND upload_status <> 'failed'`, userID).Scan(&n)
	return n, err
}

// ProjectFileCount is the number of the user's uploading or uploaded files
// in a project.
func (q *Queries) ProjectFileCount(ctx context.Context, userID, projectID string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM file_metadata
		WHERE user_id = $1 AND project_id = $2 AND upload_status <> 'failed'`, userID, projectID).Scan(&n)
	return n, err
}

// LiveJobCount is the number of the user's jobs of one kind that are queued
// or processing.
func (q *Queries) LiveJobCount(ctx context.Context, t JobTable, userID string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM `+t.Name+` WHERE user_id = $1 AND `+live, userID).Scan(&n)
	return n, err
}

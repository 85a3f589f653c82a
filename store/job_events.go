package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// JobEvent is a job's current state with the stamp of its latest visible
// change (migration 00008): Seq, the change's number in the global change
// sequence; XID, the transaction that made it; Xmin, the oldest transaction
// still running when it was numbered.
type JobEvent struct {
	phonoglyph.Job
	UserID   string
	Seq, XID int64
	Xmin     int64
	SnapXmin int64 // the reading statement's snapshot xmin (JobEventsSince only)
}

const jobEventColumns = `id::text, user_id::text, kind, status, progress, error, result, file_id::text, created_at, updated_at,
	event_seq, event_xid, event_xmin`

// JobEventsOf returns the current state of the given jobs, each scoped by
// its owner: ids[i] is read only if it belongs to users[i].
func (q *Queries) JobEventsOf(ctx context.Context, ids, users []string) ([]JobEvent, error) {
	return q.jobEvents(ctx, `SELECT `+jobEventColumns+`, 0 FROM user_jobs
		WHERE (id, user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`, ids, users)
}

// JobEventsSince returns, oldest change first, the user's jobs whose latest
// change may be unseen by a client whose last event carried (seq, xmin):
// changes numbered after seq, or made by a transaction at or after xmin.
// Each row carries the statement's snapshot xmin, from which a client that
// received every row may resume.
func (q *Queries) JobEventsSince(ctx context.Context, userID string, seq, xmin int64) ([]JobEvent, error) {
	return q.jobEvents(ctx, `SELECT `+jobEventColumns+`, pg_snapshot_xmin(pg_current_snapshot())::text::bigint FROM user_jobs
		WHERE user_id = $1 AND (event_seq > $2 OR event_xid >= $3) ORDER BY event_seq`, userID, seq, xmin)
}

// JobEvent returns one of the user's jobs with its change stamp.
func (q *Queries) JobEvent(ctx context.Context, userID, id string) (*JobEvent, error) {
	evs, err := q.JobEventsOf(ctx, []string{id}, []string{userID})
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, notFound(pgx.ErrNoRows, "Job")
	}
	return &evs[0], nil
}

func (q *Queries) jobEvents(ctx context.Context, sql string, args ...any) ([]JobEvent, error) {
	rows, err := q.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobEvent
	for rows.Next() {
		var e JobEvent
		j := &e.Job
		if err := rows.Scan(&j.ID, &e.UserID, &j.Kind, &j.Status, &j.Progress, &j.Error, &j.Result, &j.FileID, &j.CreatedAt, &j.UpdatedAt,
			&e.Seq, &e.XID, &e.Xmin, &e.SnapXmin); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChangeHorizon returns the oldest transaction still running: every job
// change not yet committed is made by it or a later one.
func (q *Queries) ChangeHorizon(ctx context.Context) (int64, error) {
	var xmin int64
	err := q.db.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&xmin)
	return xmin, err
}

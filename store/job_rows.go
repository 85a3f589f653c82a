package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// JobTable describes a table whose rows are user-facing jobs. Every such
// table has the lifecycle columns
//
//	id UUID, user_id UUID, status TEXT ('queued' | 'processing' | 'completed' | 'failed' | 'cancelled'),
//	progress INTEGER 0..100, error TEXT, river_job_id BIGINT, created_at, updated_at
//
// and a table whose jobs dispatch work to an external service also has
// dispatch_started_at TIMESTAMPTZ and a column for the service's id of the
// work (External). The statements below are the only ones that move a job
// through its statuses, for every kind.
type JobTable struct {
	Name     string // the table: a constant of the code, never user input
	External string // column holding the external service's id; "" when the kind never dispatches
	// Parent is the row a job belongs to, "table.column" with column the
	// job's reference to it (file_metadata.file_metadata_id); "" for none.
	// One lock order holds everywhere: the parent row before the job row
	// (LockParent), as the API locks a file before inserting its jobs.
	Parent string
}

// The user-facing job tables.
var (
	AnalysisJobs = JobTable{Name: "audio_analysis_jobs", Parent: "file_metadata.file_metadata_id"}
	MIDIParses   = JobTable{Name: "midi_files", Parent: "file_metadata.file_metadata_id"}
	StemJobs     = JobTable{Name: "stem_separation_jobs", External: "external_id", Parent: "file_metadata.file_metadata_id"}
	Renders      = JobTable{Name: "renders", External: "render_id", Parent: "projects.project_id"}
)

// LockParent takes a key-share lock on the row a job belongs to (its file,
// its project) before anything locks the job's row, in a transaction that
// finishes the job: the API locks the parent first too (a file FOR UPDATE
// before inserting its stem job), so the two wait instead of deadlocking.
func (q *Queries) LockParent(ctx context.Context, t JobTable, id string) error {
	sql, ok := lockParentSQL(t)
	if !ok {
		return nil
	}
	_, err := q.db.Exec(ctx, sql, id)
	return err
}

// lockParentSQL is LockParent's statement ($1 the job's id); false when the
// table has no parent.
func lockParentSQL(t JobTable) (string, bool) {
	table, column, ok := strings.Cut(t.Parent, ".")
	if !ok {
		return "", false
	}
	return `SELECT 1 FROM ` + table + ` p WHERE p.id = (SELECT ` + column + ` FROM ` + t.Name + ` WHERE id = $1)
		FOR KEY SHARE OF p`, true
}

// live selects jobs that have not reached a terminal status.
const live = `status IN ('queued', 'processing')`

// StartJob marks a queued job processing; a job already processing (a
// retried attempt, or the next poll of external work) stays as it is. A job
// that reached a terminal status yields phonoglyph.ErrJobFinished.
func (q *Queries) StartJob(ctx context.Context, t JobTable, id string) error {
	return q.move(ctx, `UPDATE `+t.Name+` SET status = 'processing' WHERE id = $1 AND `+live, id)
}

// SetJobProgress records the progress of a running job. Progress never goes
// back and stays below 100 until the job completes.
func (q *Queries) SetJobProgress(ctx context.Context, t JobTable, id string, pct int) error {
	return q.move(ctx, `UPDATE `+t.Name+` SET progress = GREATEST(progress, LEAST($2::int, 99))
		WHERE id = $1 AND status = 'processing'`, id, max(0, pct))
}

// FinishJob moves a job to a terminal status, with the message a person
// reads when it failed; completed means progress 100. A job that already
// ended yields phonoglyph.ErrJobFinished and keeps its status.
func (q *Queries) FinishJob(ctx context.Context, t JobTable, id string, status phonoglyph.Status, errMsg *string) error {
	if !status.Finished() {
		return fmt.Errorf("finish job %s: %q is not a terminal status", id, status)
	}
	return q.move(ctx, finishSQL(t), id, status, errMsg)
}

// finishSQL is FinishJob's statement ($1 id, $2 status, $3 message).
func finishSQL(t JobTable) string {
	return `UPDATE ` + t.Name + ` SET status = $2::text, error = $3,
		progress = CASE WHEN $2::text = 'completed' THEN 100 ELSE progress END
		WHERE id = $1 AND ` + live
}

// FinishHeld is the start of the transaction that ends a job: in this
// order, it checks that worker still holds the River job's attempt and
// locks that holding (ownsAttemptSQL), locks the job's parent (LockParent),
// and moves the job to status (FinishJob) — in one round trip, the three
// statements pipelined as one batch. held false means another worker took
// the attempt over: the caller must roll back, since the job's row was
// moved all the same. With held true, a job that had already ended yields
// phonoglyph.ErrJobFinished, as FinishJob does.
func (t *Tx) FinishHeld(ctx context.Context, riverJobID int64, worker string, jt JobTable, id string, status phonoglyph.Status, errMsg *string) (held bool, err error) {
	if !status.Finished() {
		return false, fmt.Errorf("finish job %s: %q is not a terminal status", id, status)
	}
	b := &pgx.Batch{}
	b.Queue(ownsAttemptSQL, riverJobID, worker)
	parentSQL, hasParent := lockParentSQL(jt)
	if hasParent {
		b.Queue(parentSQL, id)
	}
	b.Queue(finishSQL(jt), id, status, errMsg)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	var n int
	if err := br.QueryRow().Scan(&n); err != nil {
		return false, err
	}
	if hasParent {
		if _, err := br.Exec(); err != nil {
			return false, err
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return false, err
	}
	if err := br.Close(); err != nil {
		return false, err
	}
	if n != 1 {
		return false, nil
	}
	if tag.RowsAffected() == 0 {
		return true, phonoglyph.ErrJobFinished
	}
	return true, nil
}

// JobExists reports whether a job's row is still there (deleting its file
// or project deletes it).
func (q *Queries) JobExists(ctx context.Context, t JobTable, id string) (bool, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM `+t.Name+` WHERE id = $1`, id).Scan(&n)
	return n == 1, err
}

// LinkRiverJob records the River job that works a job row.
func (q *Queries) LinkRiverJob(ctx context.Context, t JobTable, id string, riverID int64) error {
	_, err := q.db.Exec(ctx, `UPDATE `+t.Name+` SET river_job_id = $2 WHERE id = $1`, id, riverID)
	return err
}

// RiverJobID returns the River job of a job row (0 if none).
func (q *Queries) RiverJobID(ctx context.Context, t JobTable, id string) (int64, error) {
	var riverID *int64
	err := q.db.QueryRow(ctx, `SELECT river_job_id FROM `+t.Name+` WHERE id = $1`, id).Scan(&riverID)
	if err != nil || riverID == nil {
		return 0, notFound(err, "Job")
	}
	return *riverID, nil
}

// MarkDispatch records that work is about to be sent to the external
// service. It reports false when a dispatch was already begun (or the job
// ended): the caller must not send again.
func (q *Queries) MarkDispatch(ctx context.Context, t JobTable, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE `+t.Name+` SET dispatch_started_at = now()
		WHERE id = $1 AND dispatch_started_at IS NULL AND status = 'processing'`, id)
	return tag.RowsAffected() == 1, err
}

// ClearDispatch removes the mark after a dispatch the service certainly did
// not accept, so a later attempt may send again.
func (q *Queries) ClearDispatch(ctx context.Context, t JobTable, id string) error {
	_, err := q.db.Exec(ctx, `UPDATE `+t.Name+` SET dispatch_started_at = NULL WHERE id = $1 AND `+t.External+` IS NULL`, id)
	return err
}

// SetExternalID commits the external service's id of the work, before
// polling begins.
func (q *Queries) SetExternalID(ctx context.Context, t JobTable, id, externalID string) error {
	return q.move(ctx, `UPDATE `+t.Name+` SET `+t.External+` = $2 WHERE id = $1 AND status = 'processing'`, id, externalID)
}

// move runs a status transition; no row changed means the job already
// reached a terminal status (or is gone).
func (q *Queries) move(ctx context.Context, sql string, args ...any) error {
	tag, err := q.db.Exec(ctx, sql, args...)
	if err == nil && tag.RowsAffected() == 0 {
		return phonoglyph.ErrJobFinished
	}
	return err
}

// AttemptsExhausted is the message of a job whose attempts ran out.
const AttemptsExhausted = "The job failed after several attempts; please try again later."

// Messages of jobs ended by EndAbandonedJobs.
const (
	abandonedRemoved  = "The job was stopped by an operator."
	abandonedNoResult = "The job ended without a result; please try again."
)

// EndAbandonedJobs ends the live rows of t whose River job has ended
// without them, or is gone: River discarded it (attempts exhausted by a
// worker that died, a timeout or a panic), an operator cancelled or deleted
// it, or it completed without the row. A discarded job's row fails with a
// sentence for its owner, a cancelled one is cancelled. A River job still
// queued or running is its lifecycle's to end. It returns the rows it ended,
// each with its River job's state, for the log.
func (q *Queries) EndAbandonedJobs(ctx context.Context, t JobTable) ([]string, error) {
	rows, err := q.db.Query(ctx, `
		WITH ended AS (
			SELECT r.id, j.state AS river_state FROM `+t.Name+` r LEFT JOIN river_job j ON j.id = r.river_job_id
			WHERE r.`+live+` AND r.river_job_id IS NOT NULL
			AND (j.id IS NULL OR j.state IN ('discarded', 'cancelled', 'completed'))
			FOR UPDATE OF r SKIP LOCKED)
		UPDATE `+t.Name+` r SET
			status = CASE WHEN ended.river_state IS NULL OR ended.river_state = 'cancelled' THEN 'cancelled' ELSE 'failed' END,
			error = CASE ended.river_state WHEN 'discarded' THEN $1 WHEN 'completed' THEN $3 ELSE $2 END
		FROM ended WHERE r.id = ended.id AND r.`+live+`
		RETURNING r.id::text, coalesce(ended.river_state::text, 'deleted')`,
		AttemptsExhausted, abandonedRemoved, abandonedNoResult)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var id, state string
		err := row.Scan(&id, &state)
		return id + " (River job " + state + ")", err
	})
}

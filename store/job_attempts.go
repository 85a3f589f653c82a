package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// BeginAttempt records that worker runs attempt of a River job, taking the
// job over from any earlier attempt's worker.
func (q *Queries) BeginAttempt(ctx context.Context, riverJobID int64, attempt int, worker string) error {
	_, err := q.db.Exec(ctx, `INSERT INTO job_attempts (river_job_id, attempt, worker) VALUES ($1, $2, $3)
		ON CONFLICT (river_job_id) DO UPDATE SET attempt = EXCLUDED.attempt, worker = EXCLUDED.worker, beat_at = now()`,
		riverJobID, attempt, worker)
	return err
}

// EndAttempt forgets worker's attempt of a River job (a later attempt's row
// stays).
func (q *Queries) EndAttempt(ctx context.Context, riverJobID int64, worker string) error {
	_, err := q.db.Exec(ctx, `DELETE FROM job_attempts WHERE river_job_id = $1 AND worker = $2`, riverJobID, worker)
	return err
}

// Beat refreshes worker's attempts of the given River jobs in one statement
// and returns those still its own: an attempt missing from the answer was
// rescued and taken over, and must stop.
func (q *Queries) Beat(ctx context.Context, worker string, riverJobIDs []int64) (map[int64]bool, error) {
	rows, err := q.db.Query(ctx, `UPDATE job_attempts SET beat_at = now()
		WHERE worker = $1 AND river_job_id = ANY($2) RETURNING river_job_id`, worker, riverJobIDs)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	owned := make(map[int64]bool, len(ids))
	for _, id := range ids {
		owned[id] = true
	}
	return owned, err
}

// ownsAttemptSQL reports (1, else 0) whether worker ($2) still holds a
// River job's ($1) attempt, and locks that holding until the transaction
// ends, so a completion committed after a takeover is refused (FinishHeld).
const ownsAttemptSQL = `SELECT count(*) FROM (SELECT 1 FROM job_attempts
	WHERE river_job_id = $1 AND worker = $2 FOR UPDATE) held`

// rescueReason is the error River's job records for an attempt its worker
// stopped beating.
const rescueReason = "worker stopped beating: the attempt was rescued"

// RescueStale hands back to River every running job whose attempt has not
// been beaten for stale (its worker process died or lost the database): a
// job its owner tried to cancel becomes cancelled, a job with no attempt
// left is discarded, any other is available again at once (not retryable:
// that waits for River's leader, which may be the dead worker, to schedule
// it). A job attempted
// less than stale ago without a beat row yet (its worker is still
// beginning it) is left alone. It is River's rescuer with the beat as its
// clock, and the SQL River's own JobRescueMany runs. It returns how many
// jobs it rescued.
func (q *Queries) RescueStale(ctx context.Context, stale time.Duration) (int64, error) {
	tag, err := q.db.Exec(ctx, `
		WITH stuck AS (
			SELECT j.id, CASE WHEN j.metadata ? 'cancel_attempted_at' THEN 'cancelled'
				WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'available' END AS state
			FROM river_job j
			WHERE j.state = 'running' AND j.attempted_at < now() - $1::interval
			AND NOT EXISTS (SELECT 1 FROM job_attempts a WHERE a.river_job_id = j.id AND a.attempt = j.attempt
				AND a.beat_at >= now() - $1::interval)
			FOR UPDATE OF j SKIP LOCKED)
		UPDATE river_job j SET state = stuck.state::river_job_state,
			finalized_at = CASE WHEN stuck.state = 'available' THEN NULL ELSE now() END,
			scheduled_at = CASE WHEN stuck.state = 'available' THEN now() ELSE j.scheduled_at END,
			errors = array_append(j.errors, jsonb_build_object('at', now(), 'attempt', j.attempt,
				'error', $2::text, 'trace', ''))
		FROM stuck WHERE j.id = stuck.id`, stale, rescueReason)
	if err != nil {
		return 0, err
	}
	_, err = q.db.Exec(ctx, `DELETE FROM job_attempts a WHERE beat_at < now() - $1::interval
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.id = a.river_job_id AND j.state = 'running')`, stale)
	return tag.RowsAffected(), err
}

// TryLock takes the transaction-scoped advisory lock key if no other
// transaction holds it, and reports whether it did.
func (t *Tx) TryLock(ctx context.Context, key int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&ok)
	return ok, err
}

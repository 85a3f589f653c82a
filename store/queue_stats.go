package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueueDepth is how many River jobs of one queue are in one live state,
// counted up to a cap (Jobs == cap means "at least cap").
type QueueDepth struct {
	Queue string
	State string
	Jobs  int64
}

// QueueStats is River's state as ops watch it: the depth of every queue by
// live state, the age of each queue's oldest available job, the paused
// queues and the current leader.
type QueueStats struct {
	Depths []QueueDepth
	// OldestAvailable is, per queue with available jobs, how long its oldest
	// one has been waiting to be fetched (now minus its scheduled time).
	OldestAvailable map[string]time.Duration
	Paused          []string
	LeaderID        string // empty while no client is elected
}

// QueueStateLive are the states of jobs that have not ended, those a queue's
// depth counts.
var QueueStateLive = []string{"available", "running", "retryable", "scheduled", "pending"}

// QueueStatsSQL (exported for its benchmark's EXPLAIN) reads every (queue, live state) pair through River's
// river_job_prioritized_fetching_index (state, queue, priority,
// scheduled_at, id): each count is an index-only scan that stops at the cap,
// and each oldest-available age is four index probes (one per priority,
// River's 1..4), so the query costs at most queues × states × cap index
// entries whatever the table holds. The queues are the given ones and those
// River knows (river_queue, upserted by every working client).
const QueueStatsSQL = `
WITH queues AS (SELECT name FROM river_queue UNION SELECT unnest($1::text[]))
SELECT q.name, st.state,
	(SELECT count(*) FROM (SELECT 1 FROM river_job j
		WHERE j.state = st.state::river_job_state AND j.queue = q.name LIMIT $3) capped),
	CASE WHEN st.state = 'available' THEN
		(SELECT extract(epoch FROM now() - min(o.at)) FROM generate_series(1, 4) p,
			LATERAL (SELECT j.scheduled_at AS at FROM river_job j
				WHERE j.state = 'available' AND j.queue = q.name AND j.priority = p
				ORDER BY j.scheduled_at LIMIT 1) o)
	END,
	(SELECT rq.paused_at IS NOT NULL FROM river_queue rq WHERE rq.name = q.name)
FROM queues q CROSS JOIN unnest($2::text[]) st(state)
ORDER BY 1, 2`

// QueueStats reads River's queue depths (each capped at limit), the oldest
// available job's age per queue, the paused queues and the leader, for
// queues and every queue River knows. It runs in a read-only transaction
// with JIT off: the planner's estimate for the capped scans is far above
// what they read, and on a large table it would JIT-compile the query for
// seconds to save milliseconds.
func (s *Store) QueueStats(ctx context.Context, queues []string, limit int) (*QueueStats, error) {
	tx, err := s.Pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }() // read-only: nothing to keep
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, QueueStatsSQL, queues, QueueStateLive, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	st := &QueueStats{OldestAvailable: map[string]time.Duration{}}
	for rows.Next() {
		var (
			d      QueueDepth
			oldest *float64
			paused *bool
		)
		if err := rows.Scan(&d.Queue, &d.State, &d.Jobs, &oldest, &paused); err != nil {
			return nil, err
		}
		st.Depths = append(st.Depths, d)
		if oldest != nil {
			st.OldestAvailable[d.Queue] = time.Duration(*oldest * float64(time.Second))
		}
		if paused != nil && *paused && d.State == QueueStateLive[0] {
			st.Paused = append(st.Paused, d.Queue)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// river_leader holds at most one row per leadership name; an expired
	// one is no leader.
	err = tx.QueryRow(ctx, `SELECT coalesce((SELECT leader_id FROM river_leader WHERE expires_at > now() LIMIT 1), '')`).Scan(&st.LeaderID)
	if err != nil {
		return nil, err
	}
	return st, nil
}

package metrics_test

import (
	"context"
	"flag"
	"strings"
	"testing"

	"phonoglyph/dbtest"
	"phonoglyph/store"
)

var queueRows = flag.Int("queue-rows", 1_000_000, "river_job rows BenchmarkQueueStats reads over (half live, half completed)")

// BenchmarkQueueStats reads the queue state of a river_job table with
// -queue-rows rows (half of them available or scheduled in five queues, half
// completed) as a scrape does, and logs the plan once:
//
//	go test ./metrics -run '^$' -bench QueueStats -benchtime 20x -v
func BenchmarkQueueStats(b *testing.B) {
	pool := dbtest.Pool(b)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO river_job (args, kind, max_attempts, queue, priority, state, scheduled_at, finalized_at)
		SELECT '{}', 'bench', 25, (ARRAY['audio_analysis','stem_separation','render','midi','maintenance'])[1 + i % 5], 1 + i % 4,
			CASE WHEN i % 2 = 0 THEN 'completed' WHEN i % 10 = 1 THEN 'scheduled' ELSE 'available' END::river_job_state,
			now() - make_interval(secs => i), CASE WHEN i % 2 = 0 THEN now() END
		FROM generate_series(1, $1) i`, *queueRows)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE river_job`); err != nil {
		b.Fatal(err)
	}
	queues := []string{"audio_analysis", "stem_separation", "render", "midi", "maintenance"}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET jit = off`); err != nil { // as QueueStats does
		b.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+store.QueueStatsSQL, queues, store.QueueStateLive, 10000)
	if err != nil {
		b.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			b.Fatal(err)
		}
		plan = append(plan, line)
	}
	rows.Close()
	b.Logf("%d rows; plan:\n%s", *queueRows, strings.Join(plan, "\n"))
	st := store.New(pool)
	for b.Loop() {
		if _, err := st.QueueStats(ctx, queues, 10000); err != nil {
			b.Fatal(err)
		}
	}
}

package metrics_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph/dbtest"
	"phonoglyph/metrics"
	"phonoglyph/store"
)

// probeArgs are jobs no worker takes: they stay where they were inserted.
type probeArgs struct{}

func (probeArgs) Kind() string { return "metrics_probe" }

// insertProbes inserts n jobs into queue: available ones waiting since
// age ago, or, for a negative age, scheduled that far ahead.
func insertProbes(t *testing.T, pool *pgxpool.Pool, rc *river.Client[pgx.Tx], queue string, n int, age time.Duration) {
	t.Helper()
	ctx := context.Background()
	opts := &river.InsertOpts{Queue: queue}
	if age < 0 {
		opts.ScheduledAt = time.Now().Add(-age)
	}
	for range n {
		res, err := rc.Insert(ctx, probeArgs{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if age > 0 {
			// As if it had waited that long: no worker fetched it.
			if _, err := pool.Exec(ctx, `UPDATE river_job SET scheduled_at = now() - $1::interval WHERE id = $2`,
				age.String(), res.Job.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestQueueDepthReflectsInsertedJobs inserts jobs into queues nobody works
// and reads them back through the collector, as a scrape does: depth per
// state, the oldest available job's age, the cap, and no leader.
func TestQueueDepthReflectsInsertedJobs(t *testing.T) {
	pool := dbtest.Pool(t)
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	insertProbes(t, pool, rc, "audio_analysis", 3, time.Hour)
	insertProbes(t, pool, rc, "audio_analysis", 2, -time.Hour)
	insertProbes(t, pool, rc, "render", 1, time.Minute)

	st := store.New(pool)
	limit := 10000
	c := &metrics.QueueCollector{ClientID: rc.ID(), MaxAge: time.Nanosecond, Read: func(ctx context.Context) (*store.QueueStats, error) {
		return st.QueueStats(ctx, []string{"audio_analysis", "render", "empty_queue"}, limit)
	}}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})

	got := scrape(t, h)
	want := map[string]float64{
		`phonoglyph_queue_jobs{queue="audio_analysis",state="available"}`:    3,
		`phonoglyph_queue_jobs{queue="audio_analysis",state="scheduled"}`:    2,
		`phonoglyph_queue_jobs{queue="audio_analysis",state="running"}`:      0,
		`phonoglyph_queue_jobs{queue="render",state="available"}`:            1,
		`phonoglyph_queue_jobs{queue="empty_queue",state="available"}`:       0,
		`phonoglyph_queue_oldest_available_age_seconds{queue="empty_queue"}`: 0,
		`phonoglyph_queue_paused{queue="render"}`:                            0,
		`phonoglyph_queue_stats_up`:                                          1,
		`phonoglyph_river_leader`:                                            0, // an insert-only client is never elected
	}
	for series, v := range want {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", series, g, ok, v)
		}
	}
	for series, age := range map[string]float64{
		`phonoglyph_queue_oldest_available_age_seconds{queue="audio_analysis"}`: 3600,
		`phonoglyph_queue_oldest_available_age_seconds{queue="render"}`:         60,
	} {
		// Measured against the database's clock: within a minute of the
		// scheduled time's age.
		if g := got[series]; math.Abs(g-age) > 60 {
			t.Errorf("%s = %v, want about %v", series, g, age)
		}
	}

	// A paused queue reads 1; counts stop at the cap. (A queue exists in
	// river_queue once a client worked it.)
	if _, err := pool.Exec(context.Background(), `INSERT INTO river_queue (name, updated_at) VALUES ('render', now())`); err != nil {
		t.Fatal(err)
	}
	if err := rc.QueuePause(context.Background(), "render", nil); err != nil {
		t.Fatal(err)
	}
	limit = 2
	got = scrape(t, h)
	if g := got[`phonoglyph_queue_paused{queue="render"}`]; g != 1 {
		t.Errorf("paused render queue reads %v, want 1", g)
	}
	if g := got[`phonoglyph_queue_jobs{queue="audio_analysis",state="available"}`]; g != 2 {
		t.Errorf("capped count reads %v, want the cap 2", g)
	}
}

// TestQueueStatsFailureIsVisible shows a failed read as
// phonoglyph_queue_stats_up 0 with no stale depths.
func TestQueueStatsFailureIsVisible(t *testing.T) {
	c := &metrics.QueueCollector{Read: func(context.Context) (*store.QueueStats, error) { return nil, fmt.Errorf("database down") }}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	got := scrape(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if got[`phonoglyph_queue_stats_up`] != 0 {
		t.Errorf("phonoglyph_queue_stats_up = %v after a failed read, want 0", got[`phonoglyph_queue_stats_up`])
	}
	for series := range got {
		if series != `phonoglyph_queue_stats_up` && series != `phonoglyph_queue_stats_read_seconds` {
			t.Errorf("unexpected series %s after a failed read", series)
		}
	}
}

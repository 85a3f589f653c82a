package jobs_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph/dbtest"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// drainArgs name one row of audio_analysis_jobs whose work is nothing: the
// drain benchmark measures the lifecycle around the work, not the work.
type drainArgs struct {
	JobID string `json:"job_id"`
}

const drainQueue = "drain_bench"

func (drainArgs) Kind() string                 { return drainQueue }
func (a drainArgs) RowID() string              { return a.JobID }
func (drainArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: drainQueue} }

// statementCounter counts the statements a pool sends (BEGIN and COMMIT
// included; River's own fetches and completions among them) and the round
// trips they take: one a statement, one a pipelined batch.
type statementCounter struct{ statements, trips atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.statements.Add(1)
	c.trips.Add(1)
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *statementCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.trips.Add(1)
	return ctx
}

func (c *statementCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.statements.Add(1)
}

func (c *statementCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// BenchmarkDrain measures how fast one worker process drains b.N queued jobs
// whose work is nothing, through our lifecycle (jobs.Kind on the real
// audio_analysis_jobs table: its trigger, parent lock, heartbeat row and
// one-transaction completion) and through a bare river.Worker doing the
// same four transactions per job on the same rows without our checks
// (attempt insert; start; completion with JobCompleteTx; attempt delete).
// Both run with the same River queue settings, given by the sub-benchmark's
// name; river-1tx is the bare worker with only the completing transaction,
// the least a job with a row can do. Run it with a fixed job count, e.g.
//
//	go test ./jobs -run '^$' -bench Drain -benchtime 2000x
func BenchmarkDrain(b *testing.B) {
	for _, workers := range []int{2, 20} {
		for _, cooldown := range []time.Duration{100 * time.Millisecond, 10 * time.Millisecond, time.Millisecond} {
			for _, impl := range []string{"lifecycle", "river", "river-1tx"} {
				b.Run(fmt.Sprintf("workers=%d/cooldown=%s/%s", workers, cooldown, impl), func(b *testing.B) {
					benchmarkDrain(b, impl, workers, cooldown)
				})
			}
		}
	}
}

func benchmarkDrain(b *testing.B, impl string, workers int, cooldown time.Duration) {
	ctx := context.Background()
	url := dbtest.URL(b)
	counter := &statementCounter{}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	pc.MaxConns = 20 // DB_MAX_CONNS's default
	pc.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	watch, err := pgxpool.New(ctx, url) // untraced: waiting is not part of the drain
	if err != nil {
		b.Fatal(err)
	}
	defer watch.Close()
	seedDrain(b, watch, b.N)

	st := store.New(pool)
	var start func() error
	var stop func()
	switch impl {
	case "lifecycle":
		kind := jobs.Kind[drainArgs]{Table: store.AnalysisJobs, Work: func(ctx context.Context, run *jobs.Run, _ drainArgs) error {
			return run.Complete(ctx, nil)
		}}
		c, err := jobs.New(pool, discard(), jobs.Deps{Store: st}, jobs.Config{Queues: map[string]int{drainQueue: workers},
			Kinds: []jobs.AnyKind{kind}, FetchCooldown: cooldown, FetchPollInterval: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		start = func() error { return c.Start(ctx) }
		stop = func() { _ = c.Stop(ctx, 10*time.Second) }
	case "river", "river-1tx":
		ws := river.NewWorkers()
		river.AddWorker(ws, &rawDrainWorker{pool: pool, oneTx: impl == "river-1tx"})
		c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: discard(), Workers: ws,
			Queues:        map[string]river.QueueConfig{drainQueue: {MaxWorkers: workers}},
			FetchCooldown: cooldown, FetchPollInterval: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		start = func() error { return c.Start(ctx) }
		stop = func() { _ = c.Stop(ctx) }
	}

	counter.statements.Store(0)
	counter.trips.Store(0)
	b.ResetTimer()
	began := time.Now()
	if err := start(); err != nil {
		b.Fatal(err)
	}
	waitDrained(b, watch, b.N)
	elapsed := time.Since(began)
	b.StopTimer()
	statements, trips := counter.statements.Load(), counter.trips.Load()
	stop()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	b.ReportMetric(float64(statements)/float64(b.N), "stmts/job")
	b.ReportMetric(float64(trips)/float64(b.N), "trips/job")
}

// seedDrain inserts n uploaded files, each with a queued analysis row and
// its River job, as completed uploads leave them.
func seedDrain(b *testing.B, pool *pgxpool.Pool, n int) {
	ctx := context.Background()
	rows, err := pool.Query(ctx, `WITH f AS (
			INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key, upload_status)
			SELECT gen_random_uuid(), gen_random_uuid(), 'a.wav', 'audio', 'audio/wav', 1, 'audio/drain/' || i, 'completed'
			FROM generate_series(1, $1) i RETURNING id, user_id)
		INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version)
		SELECT gen_random_uuid(), user_id, id, 'master', 'drain' FROM f RETURNING id::text`, n)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	inserter, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: discard()})
	if err != nil {
		b.Fatal(err)
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: drainArgs{JobID: id}}
	}
	if _, err := inserter.InsertManyFast(ctx, params); err != nil {
		b.Fatal(err)
	}
}

// waitDrained waits until n jobs of the drain queue have completed.
func waitDrained(b *testing.B, pool *pgxpool.Pool, n int) {
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var done int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = $1 AND state = 'completed'`, drainQueue).Scan(&done); err != nil {
			b.Fatal(err)
		}
		if done == n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d jobs drained in 10 minutes", done, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawDrainWorker is the baseline: a bare River worker doing the same four
// transactions per job as the lifecycle, with none of its checks (or, with
// oneTx, only the completing one).
type rawDrainWorker struct {
	river.WorkerDefaults[drainArgs]
	pool  *pgxpool.Pool
	oneTx bool
}

func (w *rawDrainWorker) Work(ctx context.Context, job *river.Job[drainArgs]) error {
	if !w.oneTx {
		if _, err := w.pool.Exec(ctx, `INSERT INTO job_attempts (river_job_id, attempt, worker) VALUES ($1, $2, 'raw')`, job.ID, job.Attempt); err != nil {
			return err
		}
		if _, err := w.pool.Exec(ctx, `UPDATE audio_analysis_jobs SET status = 'processing' WHERE id = $1`, job.Args.JobID); err != nil {
			return err
		}
	}
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE audio_analysis_jobs SET status = 'completed', progress = 100 WHERE id = $1`, job.Args.JobID); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if err != nil || w.oneTx {
		return err
	}
	_, err = w.pool.Exec(ctx, `DELETE FROM job_attempts WHERE river_job_id = $1`, job.ID)
	return err
}

// Package jobs holds the River job kinds, their workers and the helpers the
// API uses to enqueue work inside its own transactions.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// Deps are what the workers need to do their work.
type Deps struct {
	Store       *store.Store
	Blobs       storage.Blobs
	AudioLimits dsp.Limits
	// UploadGrace is how long after its declaration an upload that never
	// completed is swept: the upload URL's lifetime plus a margin.
	UploadGrace time.Duration
	// Stems configures stem separation.
	Stems StemDeps
	// Render configures video renders.
	Render RenderDeps
}

// How often the maintenance jobs run.
const (
	sweepInterval        = 15 * time.Minute
	renderExpiryInterval = time.Hour
)

// Config chooses queues: the ones a worker works (name → concurrent jobs per
// process; empty for an insert-only client) and where MIDI parses go.
type Config struct {
	Queues    map[string]int
	MIDIQueue string // default "midi"
}

// Client enqueues jobs and, when it has queues, works them.
type Client struct {
	River     *river.Client[pgx.Tx]
	MIDIQueue string
}

// NewInsertOnly returns a client that only inserts jobs (the API process).
func NewInsertOnly(pool *pgxpool.Pool, log *slog.Logger, cfg Config) (*Client, error) {
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: rc, MIDIQueue: midiQueue(cfg)}, nil
}

func midiQueue(cfg Config) string {
	if cfg.MIDIQueue == "" {
		return phonoglyph.QueueMIDI
	}
	return cfg.MIDIQueue
}

// NewWorker returns a client that works the configured queues. Any number
// of processes may run one against the same database; River's row locking
// hands each job to exactly one of them.
func NewWorker(pool *pgxpool.Pool, log *slog.Logger, deps Deps, cfg Config) (*Client, error) {
	if len(cfg.Queues) == 0 {
		return nil, errors.New("worker: no queues configured")
	}
	workers := river.NewWorkers()
	for _, err := range []error{
		river.AddWorkerSafely(workers, &AnalysisWorker{deps: deps}),
		river.AddWorkerSafely(workers, &CleanupWorker{deps: deps}),
		river.AddWorkerSafely(workers, &MIDIWorker{deps: deps}),
		river.AddWorkerSafely(workers, &SweepWorker{deps: deps}),
		river.AddWorkerSafely(workers, &StemWorker{deps: deps}),
		river.AddWorkerSafely(workers, &RenderWorker{deps: deps}),
		river.AddWorkerSafely(workers, &RenderExpiryWorker{deps: deps}),
	} {
		if err != nil {
			return nil, err
		}
	}
	qc := make(map[string]river.QueueConfig, len(cfg.Queues))
	for name, n := range cfg.Queues {
		qc[name] = river.QueueConfig{MaxWorkers: n}
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:       log,
		Queues:       qc,
		Workers:      workers,
		PeriodicJobs: []*river.PeriodicJob{SweepJob(sweepInterval), RenderExpiryJob(renderExpiryInterval)},
		ErrorHandler: &errorLogger{log: log},
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: rc, MIDIQueue: midiQueue(cfg)}, nil
}

// Stop stops fetching new jobs and waits for running ones to finish. When
// timeout passes first it cancels the running jobs' contexts and waits for
// them to return; River gives interrupted jobs their attempt back.
func (c *Client) Stop(ctx context.Context, timeout time.Duration) error {
	soft, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := c.River.Stop(soft)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	hard, cancelHard := context.WithTimeout(ctx, 10*time.Second)
	defer cancelHard()
	return c.River.StopAndCancel(hard)
}

// errorLogger logs job errors and panics; River retries or discards them.
type errorLogger struct{ log *slog.Logger }

func (e *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job failed", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "error", err)
	return nil
}

func (e *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "panic", panicVal, "trace", trace)
	return nil
}

// retryOrFail lets River retry a transient error and, once the last attempt
// is spent, records the failure on the job's row with fail so the job never
// looks stuck to its owner.
func retryOrFail(attempt, maxAttempts int, err error, fail func(msg string) error) error {
	if attempt < maxAttempts {
		return err
	}
	if ferr := fail("The job failed after several attempts; please try again later."); ferr != nil &&
		!errors.Is(ferr, store.ErrJobFinished) {
		return errors.Join(err, ferr)
	}
	return err
}

// workClient is the River client running the job of ctx, for enqueueing
// follow-up jobs inside a worker's own transaction.
func workClient(ctx context.Context) *Client {
	return &Client{River: river.ClientFromContext[pgx.Tx](ctx)}
}

// failAndFree ends a job that owns storage objects permanently: finish
// records the failure on its row and keys are freed by a cleanup job, in one
// transaction; River never retries it.
func failAndFree(ctx context.Context, db *store.Store, keys []string, msg string, finish func(*store.Queries) error) error {
	err := db.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		if err := finish(q); err != nil && !errors.Is(err, store.ErrJobFinished) {
			return err
		}
		return workClient(ctx).RequestCleanup(ctx, tx, keys)
	})
	if err != nil {
		return err
	}
	return river.JobCancel(errors.New(msg))
}

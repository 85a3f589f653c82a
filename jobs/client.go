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

	"phonoglyph/dsp"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// Deps are what the workers need to do their work.
type Deps struct {
	Store       *store.Store
	Blobs       storage.Blobs
	AudioLimits dsp.Limits
}

// Client enqueues jobs and, when it has queues, works them.
type Client struct {
	River *river.Client[pgx.Tx]
}

// NewInsertOnly returns a client that only inserts jobs (the API process).
func NewInsertOnly(pool *pgxpool.Pool, log *slog.Logger) (*Client, error) {
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: rc}, nil
}

// NewWorker returns a client that works the given queues (name → concurrent
// jobs per process). Any number of processes may run one against the same
// database; River's row locking hands each job to exactly one of them.
func NewWorker(pool *pgxpool.Pool, log *slog.Logger, deps Deps, queues map[string]int) (*Client, error) {
	if len(queues) == 0 {
		return nil, errors.New("worker: no queues configured")
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &AnalysisWorker{deps: deps}); err != nil {
		return nil, err
	}
	qc := make(map[string]river.QueueConfig, len(queues))
	for name, n := range queues {
		qc[name] = river.QueueConfig{MaxWorkers: n}
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:       log,
		Queues:       qc,
		Workers:      workers,
		ErrorHandler: &errorLogger{log: log},
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: rc}, nil
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

func (e *errorLogger) HandleError(ctx context.Context, job *river.JobRow, err error) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job failed", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "error", err)
	return nil
}

func (e *errorLogger) HandlePanic(ctx context.Context, job *river.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "panic", panicVal, "trace", trace)
	return nil
}

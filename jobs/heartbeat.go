package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"phonoglyph/store"
)

// Crash recovery defaults (see the package documentation).
const (
	defaultBeatInterval = 20 * time.Second
	defaultStaleAfter   = 90 * time.Second
)

// errTakenOver ends an attempt whose beat was lost: another worker may run
// the job now, so this attempt must stop and commit nothing.
var errTakenOver = errors.New("the attempt lost its heartbeat and was handed to another worker")

// beater is a worker process's heartbeat: it records every attempt the
// process runs (a River middleware, so every kind is covered), beats them
// all in one UPDATE every interval, stops an attempt that was taken over or
// could not be beaten for too long, and, on one process at a time, rescues
// the attempts of dead workers and ends the rows River gave up on.
type beater struct {
	worker   string
	db       *store.Store
	log      *slog.Logger
	interval time.Duration
	stale    time.Duration
	tables   []store.JobTable

	mu       sync.Mutex
	running  map[int64]context.CancelCauseFunc
	lastBeat time.Time

	stop chan struct{}
	done chan struct{}
}

func newBeater(db *store.Store, log *slog.Logger, interval, stale time.Duration, tables []store.JobTable) *beater {
	host, _ := os.Hostname()
	return &beater{
		worker: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8]),
		db:     db, log: log, interval: interval, stale: stale, tables: tables,
		running: map[int64]context.CancelCauseFunc{},
	}
}

// middleware is the beater as River worker middleware.
type beatMiddleware struct {
	river.MiddlewareDefaults
	b *beater
}

// Work records the attempt before the work and forgets it after, and hands
// the work a context the beater cancels when the attempt is taken over.
func (m *beatMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	b := m.b
	if err := b.db.BeginAttempt(ctx, job.ID, job.Attempt, b.worker); err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	b.mu.Lock()
	b.running[job.ID] = cancel
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.running, job.ID)
		b.mu.Unlock()
		cancel(nil)
		end, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		if err := b.db.EndAttempt(end, job.ID, b.worker); err != nil {
			b.log.WarnContext(end, "forget attempt", "job_id", job.ID, "error", err) // the reaper forgets it later
		}
	}()
	err := doInner(ctx)
	if cause := context.Cause(ctx); errors.Is(cause, errTakenOver) {
		return errors.Join(err, cause)
	}
	return err
}

// start begins beating, until halt.
func (b *beater) start() {
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	b.mu.Lock()
	b.lastBeat = time.Now()
	b.mu.Unlock()
	go func() {
		defer close(b.done)
		t := time.NewTicker(b.interval)
		defer t.Stop()
		b.maintain()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.beat()
				b.maintain()
			}
		}
	}()
}

// halt stops beating; the process's attempts have ended (River stopped).
func (b *beater) halt() {
	if b.stop != nil {
		close(b.stop)
		<-b.done
	}
}

// beat refreshes every running attempt in one statement and stops those
// taken over. When beats have failed for longer than two thirds of the stale
// delay, the process stops all its attempts itself before any reaper can
// hand them to another worker: a live attempt is never run twice.
func (b *beater) beat() {
	b.mu.Lock()
	ids := make([]int64, 0, len(b.running))
	for id := range b.running {
		ids = append(ids, id)
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), b.interval)
	defer cancel()
	owned, err := b.db.Beat(ctx, b.worker, ids)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.log.Warn("job heartbeat", "worker", b.worker, "error", err)
		if time.Since(b.lastBeat) > b.stale*2/3 {
			for _, stop := range b.running {
				stop(errTakenOver)
			}
		}
		return
	}
	b.lastBeat = time.Now()
	for _, id := range ids {
		if stop, ok := b.running[id]; ok && !owned[id] {
			b.log.Warn("job attempt taken over", "job_id", id, "worker", b.worker)
			stop(errTakenOver)
		}
	}
}

// reaperLock is the advisory lock that lets one worker process at a time
// rescue stale attempts and end abandoned rows.
const reaperLock = 0x70686f6e6f + 1

// maintain rescues dead workers' attempts and ends the rows whose River job
// ended without them, on one process at a time.
func (b *beater) maintain() {
	ctx, cancel := context.WithTimeout(context.Background(), b.interval)
	defer cancel()
	err := b.db.InTx(ctx, func(tx *store.Tx) error {
		if mine, err := tx.TryLock(ctx, reaperLock); err != nil || !mine {
			return err
		}
		n, err := tx.RescueStale(ctx, b.stale)
		if err != nil {
			return err
		}
		if n > 0 {
			b.log.Warn("rescued attempts of dead workers", "jobs", n)
		}
		for _, t := range b.tables {
			ended, err := tx.EndAbandonedJobs(ctx, t)
			if err != nil {
				return err
			}
			if len(ended) > 0 {
				b.log.Warn("ended jobs River gave up on", "table", t.Name, "rows", ended)
			}
		}
		return nil
	})
	if err != nil {
		b.log.Warn("job reaper", "error", err)
	}
}

package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"phonoglyph"
	"phonoglyph/metrics"
	"phonoglyph/store"
)

// Args are the River arguments of a user-facing job: ids only, the rest
// lives in the job's row.
type Args interface {
	river.JobArgs
	// RowID is the id of the job's row in its table.
	RowID() string
}

// Kind is a user-facing job kind: where its rows live, how long one attempt
// may take, and its work. The lifecycle around the work is the same for
// every kind (see the package documentation).
type Kind[A Args] struct {
	Table   store.JobTable
	Timeout time.Duration // of one attempt; 0 is River's default
	// Work does one attempt of the job, after the row moved to processing.
	// It ends with run.Complete (or run.Dispatch, or a River snooze while
	// polling). Fail(msg), or an application error (phonoglyph.Error, such
	// as ENOTFOUND for an input deleted meanwhile), fails the job for good
	// with that message; any other error is retried.
	Work func(ctx context.Context, run *Run, args A) error
	// Leftovers, when set, are the objects an attempt may have written,
	// known from the args alone: freed when a later attempt finds the row
	// gone (an attempt killed with its worker never reached its end).
	Leftovers func(args A) []string
}

// AnyKind is a Kind of any args type, as Config.Kinds lists them.
type AnyKind interface {
	register(workers *river.Workers, c *Client) error
	table() store.JobTable
	timeout() time.Duration
	name() string
	withTimeout(time.Duration) AnyKind
}

func (k Kind[A]) table() store.JobTable { return k.Table }

func (k Kind[A]) name() string {
	var a A
	return a.Kind()
}

func (k Kind[A]) withTimeout(d time.Duration) AnyKind {
	k.Timeout = d
	return k
}

func (k Kind[A]) timeout() time.Duration { return cmp.Or(k.Timeout, river.JobTimeoutDefault) }

func (k Kind[A]) register(workers *river.Workers, c *Client) error {
	return river.AddWorkerSafely(workers, &lifecycle[A]{kind: k, client: c})
}

// lifecycle is the River worker of every user-facing kind: the one copy of
// begin, retry, fail-and-free and complete around the kind's work.
type lifecycle[A Args] struct {
	river.WorkerDefaults[A]
	kind   Kind[A]
	client *Client
}

// Timeout is the kind's.
func (l *lifecycle[A]) Timeout(*river.Job[A]) time.Duration { return l.kind.Timeout }

// Work begins the job, runs the kind's work and settles its outcome. A
// panic in the work is an error like any other: retried, and recorded on
// the row on the last attempt.
func (l *lifecycle[A]) Work(ctx context.Context, job *river.Job[A]) error {
	run := &Run{client: l.client, table: l.kind.Table, id: job.Args.RowID(), riverID: job.ID, last: job.Attempt >= job.MaxAttempts,
		completeRiver: func(ctx context.Context, tx pgx.Tx) error {
			_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
			return err
		}}
	if err := l.client.deps.Store.StartJob(ctx, run.table, run.id); errors.Is(err, phonoglyph.ErrJobFinished) {
		// Cancelled, or ended by another attempt: nothing left to do. When
		// the row is gone (its file deleted after an earlier attempt's worker
		// died), what that attempt may have written is freed.
		if l.kind.Leftovers != nil {
			run.writes = l.kind.Leftovers(job.Args)
		}
		return run.freeIfGone(ctx)
	} else if err != nil {
		return err
	}
	start := time.Now()
	werr := l.work(ctx, run, job.Args)
	err := run.settle(ctx, werr)
	metrics.ObserveJob(job.Kind, outcome(ctx, werr, err, run.last), time.Since(start))
	return err
}

// work runs the kind's work, turning a panic into an error.
func (l *lifecycle[A]) work(ctx context.Context, run *Run, args A) (err error) {
	defer func() {
		if p := recover(); p != nil {
			l.client.log.ErrorContext(ctx, "job panicked", "job", run.id, "table", run.table.Name, "panic", p, "trace", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return l.kind.Work(ctx, run, args)
}

// Run is one attempt of a user-facing job, handed to its kind's work.
type Run struct {
	client        *Client
	table         store.JobTable
	id            string
	riverID       int64
	last          bool     // River gives the job no further attempt
	owns          []string // objects the job writes, freed when it fails
	writes        []string // objects the job writes for its row, freed when the row is gone
	completeRiver func(context.Context, pgx.Tx) error
}

// ID is the id of the job's row.
func (r *Run) ID() string { return r.id }

// Client is the job client working this job, for follow-up jobs enqueued in
// the completing transaction.
func (r *Run) Client() *Client { return r.client }

// Owns declares objects the job writes (or may have written): if the job
// fails they are freed by a cleanup job committed with the failure.
func (r *Run) Owns(keys ...string) { r.owns = append(r.owns, keys...) }

// Writes declares objects the job writes that belong to its row (an
// analysis document, a thumbnail): when the job fails, freed unless a row
// refers to them (an earlier result may use the same key); when the job
// ends and finds its row gone (its file deleted meanwhile), freed.
func (r *Run) Writes(keys ...string) { r.writes = append(r.writes, keys...) }

// Progress records how far the job got, 0..99 (completion is 100). It is
// best effort: a lost progress update is not worth failing the job for.
func (r *Run) Progress(ctx context.Context, pct int) {
	err := r.client.deps.Store.SetJobProgress(ctx, r.table, r.id, pct)
	if err != nil && !errors.Is(err, phonoglyph.ErrJobFinished) {
		r.client.log.DebugContext(ctx, "job progress", "job", r.id, "error", err)
	}
}

// Complete ends the job successfully in one transaction: the row becomes
// completed, write (when not nil) stores the kind's results, and River
// completes its job; a crash before the commit leaves nothing, a crash after
// it leaves nothing to redo. A job that ended meanwhile (its owner cancelled
// it) keeps nothing of the result.
func (r *Run) Complete(ctx context.Context, write func(tx *store.Tx) error) error {
	return r.client.deps.Store.InTx(ctx, func(tx *store.Tx) error {
		// The attempt's holding, the parent and the row, locked in that
		// order, in one round trip.
		if held, err := tx.FinishHeld(ctx, r.riverID, r.client.beats.worker, r.table, r.id, phonoglyph.StatusCompleted, nil); err != nil {
			return err
		} else if !held {
			return errTakenOver // another worker has the job now: this attempt keeps nothing
		}
		if write != nil {
			if err := write(tx); err != nil {
				return err
			}
		}
		return r.completeRiver(ctx, tx.PGX())
	})
}

// failure is the error of Fail: the job cannot succeed, whatever the
// number of attempts.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

// Fail is what a kind's work returns when the job cannot succeed (bad
// input, a refusal): the row fails with msg, a sentence for its owner, and
// River does not retry.
func Fail(msg string) error { return &failure{msg: msg} }

// Failf is Fail with a formatted message.
func Failf(format string, args ...any) error { return Fail(fmt.Sprintf(format, args...)) }

// settle turns the work's outcome into River's: a failure ends the job for
// good, snoozes and cancellations pass through, a job that ended elsewhere
// stops quietly, and any other error is retried by River — on the last
// attempt after recording the failure, so the job never looks stuck.
func (r *Run) settle(ctx context.Context, err error) error {
	var (
		f      *failure
		ae     *phonoglyph.Error
		snooze *rivertype.JobSnoozeError
		cancel *rivertype.JobCancelError
	)
	if errors.As(err, &ae) && ae.Code != phonoglyph.EINTERNAL && !errors.As(err, &f) {
		f = &failure{msg: ae.Message} // an answer, not a transient failure: retrying cannot change it
		err = f
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, phonoglyph.ErrJobFinished):
		return r.freeIfGone(ctx)
	case errors.As(err, &f):
		if ferr := r.end(ctx, f.msg); ferr != nil {
			return ferr // the row could not be updated: River retries the attempt
		}
		return river.JobCancel(f)
	case errors.As(err, &snooze), errors.As(err, &cancel), errors.Is(err, errTakenOver), !r.last:
		return err
	}
	if ferr := r.end(ctx, store.AttemptsExhausted); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// freeIfGone ends an attempt that found its job ended: when the row itself
// is gone (its file or project was deleted during the job) nothing refers
// to what the job wrote, so it is freed.
func (r *Run) freeIfGone(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return r.client.deps.Store.InTx(ctx, func(tx *store.Tx) error {
		return r.freeGone(ctx, tx, nil)
	})
}

// freeGone frees what the job wrote when its row is gone; otherwise it
// frees free and those of the job's writes no row refers to (a failed
// analysis's document, which no analysis row names).
func (r *Run) freeGone(ctx context.Context, tx *store.Tx, free []string) error {
	exists, err := tx.JobExists(ctx, r.table, r.id)
	if err != nil {
		return err
	}
	if !exists {
		return r.client.RequestCleanup(ctx, tx, append(append([]string(nil), r.owns...), r.writes...))
	}
	if len(r.writes) > 0 {
		unused, err := unreferencedDerived(tx.Queries)(ctx, r.writes)
		if err != nil {
			return err
		}
		free = append(append([]string(nil), free...), unused...)
	}
	return r.client.RequestCleanup(ctx, tx, free)
}

// end fails the row with msg (its short human form; the whole of it goes
// to the log) and frees the objects the job owns (and, when
// the row is gone, all it wrote), in one transaction. It runs even when the
// work's context ended (a timeout), so the failure is always recorded.
func (r *Run) end(ctx context.Context, msg string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	r.client.log.InfoContext(ctx, "job failed", "job", r.id, "table", r.table.Name, "error", msg)
	msg = humanMessage(msg)
	return r.client.deps.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockParent(ctx, r.table, r.id); err != nil {
			return err
		}
		err := tx.FinishJob(ctx, r.table, r.id, phonoglyph.StatusFailed, &msg)
		if err != nil && !errors.Is(err, phonoglyph.ErrJobFinished) {
			return err
		}
		return r.freeGone(ctx, tx, r.owns)
	})
}

// Enqueue inserts the River job of a row just inserted in tx into t, and
// links the two, so the row and its job commit or roll back together: no
// job without a row, no row without a job. opts may be nil (the args'
// InsertOpts apply).
func (c *Client) Enqueue(ctx context.Context, tx *store.Tx, t store.JobTable, args Args, opts *river.InsertOpts) error {
	riverID, err := c.insert(ctx, tx, args, opts)
	if err != nil {
		return err
	}
	return tx.LinkRiverJob(ctx, t, args.RowID(), riverID)
}

// insert inserts the River job of args in tx and returns its id.
func (c *Client) insert(ctx context.Context, tx *store.Tx, args Args, opts *river.InsertOpts) (int64, error) {
	res, err := c.river.InsertTx(ctx, tx.PGX(), args, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// ProcessFile enqueues in tx what a new completed file of f's kind needs:
// analysis for audio, parsing for MIDI, nothing (nil) for other kinds. It
// is what follows every completed upload, every copied file and every stem,
// so no path forgets a kind.
func (c *Client) ProcessFile(ctx context.Context, tx *store.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	switch f.FileType {
	case phonoglyph.FileAudio:
		return c.RequestAnalysis(ctx, tx, f)
	case phonoglyph.FileMIDI:
		return c.RequestMIDIParse(ctx, tx, f)
	}
	return nil, nil
}

// Cancel cancels a live job of table t in tx: its row ends cancelled and its
// River job is cancelled (a running one sees its context end). The caller
// holds the row's lock and checked that the job has not ended.
func (c *Client) Cancel(ctx context.Context, tx *store.Tx, t store.JobTable, id string) error {
	if err := tx.FinishJob(ctx, t, id, phonoglyph.StatusCancelled, nil); err != nil {
		return err
	}
	riverID, err := tx.RiverJobID(ctx, t, id)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	_, err = c.river.JobCancelTx(ctx, tx.PGX(), riverID)
	return err
}

package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph/store"
)

// Dispatch is work sent to an external service (a RunPod separation, a
// Lambda render) exactly once, however often the job is retried, rescued or
// crashes: a mark is committed before the request and the service's id after
// it, and a job finding the mark without an id fails instead of sending
// twice (Marked).
type Dispatch struct {
	// Marked is the row's mark: an earlier attempt began a dispatch.
	Marked bool
	// Interrupted fails the job when Marked: the earlier attempt stopped
	// between the mark and the id, so whether the service accepted the work
	// is unknown.
	Interrupted string
	// Submit prepares and sends the work and returns the service's id for
	// it. NotSent(err, wait) says the service certainly did not accept it
	// (preparation failed, or the service refused): the mark is cleared and
	// the job tries again. Fail(msg) fails the job. Any other error leaves
	// the outcome unknown and fails the job with Unknown.
	Submit  func(ctx context.Context) (externalID string, err error)
	Unknown string
	// Record, when set, stores more of the service's answer in the
	// transaction that commits the id.
	Record func(ctx context.Context, tx *store.Tx) error
	// Progress is the job's progress once the service has the work, and
	// Poll the wait before its status is first asked.
	Progress int
	Poll     time.Duration
}

// notSent is the error of NotSent.
type notSent struct {
	err  error
	wait time.Duration
}

func (n *notSent) Error() string { return n.err.Error() }
func (n *notSent) Unwrap() error { return n.err }

// NotSent marks a Submit error after which the service certainly does not
// have the work, so sending again is safe: after wait when it is positive
// (the service asked to back off), else after River's retry delay.
func NotSent(err error, wait time.Duration) error { return &notSent{err: err, wait: wait} }

// Dispatch sends d exactly once and, once the service's id is committed,
// snoozes until the first poll. The job's next attempts find the id on the
// row and poll instead.
func (r *Run) Dispatch(ctx context.Context, d Dispatch) error {
	db := r.client.deps.Store
	if d.Marked {
		return Fail(d.Interrupted)
	}
	if ok, err := db.MarkDispatch(ctx, r.table, r.id); err != nil {
		return err
	} else if !ok {
		return nil // another attempt got here first, or the job ended
	}
	id, err := d.Submit(ctx)
	var ns *notSent
	switch {
	case errors.As(err, &ns):
		if cerr := db.ClearDispatch(ctx, r.table, r.id); cerr != nil {
			return errors.Join(err, cerr) // the mark stays: the next attempt fails instead of sending twice
		}
		if ns.wait > 0 {
			return river.JobSnooze(ns.wait)
		}
		return ns.err
	case errors.As(err, new(*failure)):
		return err
	case err != nil:
		return Fail(d.Unknown)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetExternalID(ctx, r.table, r.id, id); err != nil {
			return err
		}
		if d.Record != nil {
			return d.Record(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return err // the mark stays: a retry fails instead of sending twice
	}
	r.Progress(ctx, d.Progress)
	return river.JobSnooze(d.Poll)
}

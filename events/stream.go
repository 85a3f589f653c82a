package events

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"phonoglyph"
	"phonoglyph/store"
)

// Event is one message of a stream: a job's current state and the id a
// client sends back as Last-Event-ID to resume after it.
type Event struct {
	ID  string
	Job *phonoglyph.Job
}

// cursor is a resume point: every change a client may not have received
// has a number above seq or a transaction id at or above xmin.
type cursor struct{ seq, xmin int64 }

func (c cursor) String() string {
	return strconv.FormatInt(c.seq, 10) + "." + strconv.FormatInt(c.xmin, 10)
}

// parseCursor reads a Last-Event-ID; "" is no cursor.
func parseCursor(s string) (cursor, bool, error) {
	if s == "" {
		return cursor{}, false, nil
	}
	a, b, ok := strings.Cut(s, ".")
	seq, err1 := strconv.ParseInt(a, 10, 64)
	xmin, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || seq < 0 || xmin < 0 {
		return cursor{}, false, phonoglyph.Errorf(phonoglyph.EINVALID, "Last-Event-ID %q is not an id this API sent.", s)
	}
	return cursor{seq, xmin}, true, nil
}

// Stream follows the changes of one user's jobs (or of one of them) for one
// client connection. It is used by one goroutine.
type Stream struct {
	hub    *Hub
	user   string
	job    string // "" for every job of the user
	sub    *sub
	at     cursor
	sent   map[string]int64 // job id → number of the state last sent
	queued []Event
}

// Open subscribes to the user's jobs, or to the one job when job is not
// "": it answers ENOTFOUND for a job that is not the user's. lastEventID
// resumes after an event of an earlier connection; without it a stream of
// one job starts with the job's current state and a stream of every job
// with the next change.
func (h *Hub) Open(ctx context.Context, user, job, lastEventID string) (*Stream, error) {
	at, resume, err := parseCursor(lastEventID)
	if err != nil {
		return nil, err
	}
	s := &Stream{hub: h, user: user, job: job, at: at, sent: map[string]int64{}}
	// Subscribe before reading, so no change falls between the two.
	s.sub = h.subscribe(user, job)
	if err := s.start(ctx, resume); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stream) start(ctx context.Context, resume bool) error {
	if s.job != "" {
		return s.catchUpJob(ctx, !resume)
	}
	if resume {
		return s.catchUp(ctx)
	}
	xmin, err := s.hub.store.ChangeHorizon(ctx)
	s.at = cursor{math.MaxInt64, xmin} // what had not committed by now
	return err
}

// Close ends the subscription.
func (s *Stream) Close() { s.hub.unsubscribe(s.user, s.sub) }

// Next returns the next events, oldest first, waiting until there are
// some, ctx ends, or the hub stops (ErrClosed).
func (s *Stream) Next(ctx context.Context) ([]Event, error) {
	for len(s.queued) == 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.hub.done:
			return nil, ErrClosed
		case <-s.sub.resync:
			s.sub.caughtUp()
			var err error
			if s.job != "" {
				err = s.catchUpJob(ctx, false)
			} else {
				err = s.catchUp(ctx)
			}
			if err != nil {
				s.sub.lag() // try again on the next wake-up
				return nil, fmt.Errorf("events: catching up: %w", err)
			}
		case d := <-s.sub.ch:
			s.live(d)
		}
	}
	out := s.queued
	s.queued = nil
	return out, nil
}

// live queues a delivered change unless the state was already sent.
func (s *Stream) live(d delivery) {
	if d.job.Seq <= s.sent[d.job.ID] {
		return
	}
	c := cursor{d.seq, d.xmin}
	if s.job != "" {
		c = cursor{d.job.Seq, d.job.Xmin} // one row's changes commit in number order
	}
	s.push(c, d.job)
}

// catchUp queues every job of the user changed since the cursor; the last
// one carries the reading statement's horizon, after which nothing unseen
// had committed.
func (s *Stream) catchUp(ctx context.Context) error {
	rows, err := s.hub.store.JobEventsSince(ctx, s.user, s.at.seq, s.at.xmin)
	if err != nil {
		return err
	}
	before, last := s.at, int64(0)
	for _, r := range rows {
		last = max(last, r.Seq)
	}
	for i := range rows {
		c := before // a client cut off mid-way resumes from where it was
		if i == len(rows)-1 {
			c = cursor{last, rows[i].SnapXmin}
		}
		if rows[i].Seq <= s.sent[rows[i].ID] {
			s.at = c
			continue
		}
		s.push(c, &rows[i])
	}
	return nil
}

// catchUpJob queues the one job's current state if it is newer than the
// cursor (always, when first is set): a row's changes commit in number
// order, so its number suffices.
func (s *Stream) catchUpJob(ctx context.Context, first bool) error {
	row, err := s.hub.store.JobEvent(ctx, s.user, s.job)
	if err != nil {
		return err
	}
	if first || row.Seq > s.at.seq {
		s.push(cursor{row.Seq, row.Xmin}, row)
	}
	return nil
}

func (s *Stream) push(c cursor, row *store.JobEvent) {
	s.at = c
	s.sent[row.ID] = row.Seq
	s.queued = append(s.queued, Event{ID: c.String(), Job: &row.Job})
}

// Package events pushes job changes to the browser. Every job table stamps
// and announces each visible change itself (migration 00008: a trigger
// takes a number from one global change sequence and sends NOTIFY
// job_events with the ids), so every writer, in any process, is heard
// without a line of Go. One Hub per process holds ONE listening Postgres
// connection, reads the changed rows once through the pool and fans them
// out in-process to every open stream of the rows' owners; a stream never
// receives a row of another user, because rows are read scoped by the
// owner named in the notification and delivered only to that owner's
// subscriptions.
//
// Resuming is exact. Each event's id is "<seq>.<xmin>": the change's number
// and the oldest transaction still running when it was numbered. Changes
// commit in an order that may differ from their numbers, but notifications
// arrive in commit order, so a client that received the event of change E
// has received every change committed before E; a change committed after E
// either has a larger number or was still running when E was numbered, so
// its transaction id is at least E's xmin. A reconnecting client therefore
// gets the current state of every job matching "event_seq > seq OR
// event_xid >= xmin" (a few already-seen jobs come again: events carry
// states, not deltas, so a repeat is harmless). When the listener loses
// Postgres, or a slow client's buffer fills, live delivery to the affected
// streams stops until each has caught up the same way.
package events

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/store"
)

// Channel is the NOTIFY channel the job tables' trigger announces on.
const Channel = "job_events"

// ErrClosed ends a stream when the hub stops (the process shuts down).
var ErrClosed = errors.New("event hub stopped")

// Hub listens for job changes on one Postgres connection and fans them out
// to the process's open streams.
type Hub struct {
	conn  *pgx.ConnConfig
	store *store.Store
	log   *slog.Logger

	notes chan note
	done  chan struct{}

	mu    sync.Mutex
	users map[string]map[*sub]struct{}
}

// note is one announced change: the payload of a job_events notification.
type note struct {
	user, job string
	seq, xmin int64
}

// New returns a hub reading rows through st; it listens once Run is called.
func New(pool *pgxpool.Pool, st *store.Store, log *slog.Logger) *Hub {
	cfg := pool.Config().ConnConfig.Copy()
	// A dead peer (a host gone without closing the socket) is noticed within
	// a minute rather than after the system's two-hour keepalive default.
	d := &net.Dialer{KeepAlive: 15 * time.Second, Timeout: 10 * time.Second}
	cfg.DialFunc = d.DialContext
	return &Hub{conn: cfg, store: st, log: log, notes: make(chan note, 1024), done: make(chan struct{}),
		users: map[string]map[*sub]struct{}{}}
}

// Done is closed when the hub has stopped; open streams end then.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Run listens until ctx ends, reconnecting after any loss of the
// connection (a Postgres restart, a terminated backend) with a backoff of
// at most 5 s. After every (re)connection each open stream catches up on
// what changed meanwhile.
func (h *Hub) Run(ctx context.Context) {
	defer close(h.done)
	go h.fanOut(ctx)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listen(ctx, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("events: listener lost Postgres; reconnecting", "error", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen holds one connection: LISTEN, then every open stream catches up,
// then notifications are queued for fanOut until the connection fails.
func (h *Hub) listen(ctx context.Context, up func()) error {
	conn, err := pgx.ConnectConfig(ctx, h.conn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	up()
	h.lagAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		nt, ok := parseNote(n.Payload)
		if !ok {
			h.log.Warn("events: unreadable notification", "payload", n.Payload)
			continue
		}
		select {
		case h.notes <- nt:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// parseNote reads "<user_id> <job_id> <seq> <xmin>".
func parseNote(p string) (note, bool) {
	f := strings.Fields(p)
	if len(f) != 4 {
		return note{}, false
	}
	seq, err1 := strconv.ParseInt(f[2], 10, 64)
	xmin, err2 := strconv.ParseInt(f[3], 10, 64)
	return note{user: f[0], job: f[1], seq: seq, xmin: xmin}, err1 == nil && err2 == nil
}

// maxBatch bounds how many queued notifications one read of rows serves.
const maxBatch = 256

// fanOut reads the rows of queued notifications, a batch at a time, and
// delivers each to the owner's subscriptions in notification (commit) order.
func (h *Hub) fanOut(ctx context.Context) {
	batch := make([]note, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return
		case n := <-h.notes:
			batch = append(batch, n)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case n := <-h.notes:
				batch = append(batch, n)
			default:
				break drain
			}
		}
		h.deliver(ctx, batch)
	}
}

func (h *Hub) deliver(ctx context.Context, batch []note) {
	ids, users := make([]string, 0, len(batch)), make([]string, 0, len(batch))
	h.mu.Lock()
	for _, n := range batch {
		if len(h.users[n.user]) > 0 {
			ids, users = append(ids, n.job), append(users, n.user)
		}
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	rows, err := h.store.JobEventsOf(ctx, ids, users)
	if err != nil {
		h.log.Warn("events: reading changed jobs", "error", err)
		for _, u := range users {
			h.lagUser(u) // they catch up once the database answers again
		}
		return
	}
	byID := make(map[string]*store.JobEvent, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range batch {
		row := byID[n.job]
		if row == nil || row.UserID != n.user {
			continue // deleted since, or not this user's: nothing to show
		}
		for s := range h.users[n.user] {
			if s.job == "" || s.job == n.job {
				s.offer(delivery{job: row, seq: n.seq, xmin: n.xmin})
			}
		}
	}
}

// lagAll makes every open stream catch up from the database.
func (h *Hub) lagAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.users {
		for s := range subs {
			s.lag()
		}
	}
}

func (h *Hub) lagUser(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.users[user] {
		s.lag()
	}
}

func (h *Hub) subscribe(user, job string) *sub {
	s := &sub{job: job, ch: make(chan delivery, subBuffer), resync: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.users[user] == nil {
		h.users[user] = map[*sub]struct{}{}
	}
	h.users[user][s] = struct{}{}
	return s
}

func (h *Hub) unsubscribe(user string, s *sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.users[user], s)
	if len(h.users[user]) == 0 {
		delete(h.users, user)
	}
}

package events

import (
	"sync"

	"phonoglyph/store"
)

// subBuffer is how many deliveries wait for a slow client before its
// stream stops taking live ones and catches up from the database instead.
const subBuffer = 16

// delivery is one change for one subscription: the row as read after the
// change committed, and the change's own stamp.
type delivery struct {
	job       *store.JobEvent // shared between subscriptions: read only
	seq, xmin int64
}

// sub is one stream's subscription with the hub.
type sub struct {
	job    string // "" for every job of the user
	ch     chan delivery
	resync chan struct{} // signalled once lagged

	mu     sync.Mutex
	lagged bool // live deliveries are dropped until the stream has caught up
}

// offer queues d unless the stream lags; a full buffer makes it lag.
func (s *sub) offer(d delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lagged {
		return
	}
	select {
	case s.ch <- d:
	default:
		s.lagLocked()
	}
}

func (s *sub) lag() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lagLocked()
}

func (s *sub) lagLocked() {
	s.lagged = true
	select {
	case s.resync <- struct{}{}:
	default:
	}
}

// caughtUp resumes live delivery; the stream reads the database next.
func (s *sub) caughtUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lagged = false
}

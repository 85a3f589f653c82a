package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/events"
)

// Event streams: the state of the caller's jobs pushed as Server-Sent
// Events (package events holds the mechanism). Each event's data is the
// job exactly as GET /api/v1/jobs/{id} answers it.
const (
	defaultHeartbeat = 15 * time.Second
	// writeWait bounds one write to a client that stopped reading.
	writeWait = 30 * time.Second
	// eventRetry is the reconnection delay a browser's EventSource is told.
	eventRetry = 2 * time.Second
)

// jobEvents streams one job's changes, starting with its current state.
func (s *Server) jobEvents(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.stream(c, id)
}

// allEvents streams the changes of every job of the caller.
func (s *Server) allEvents(c echo.Context) error { return s.stream(c, "") }

func (s *Server) stream(c echo.Context, job string) error {
	if s.opt.Events == nil {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "This API has no event stream.")
	}
	ctx := c.Request().Context()
	st, err := s.opt.Events.Open(ctx, userID(c), job, c.Request().Header.Get("Last-Event-ID"))
	if err != nil {
		return err
	}
	defer st.Close()
	w := c.Response()
	// A stream outlives the per-request deadlines (api.Timeouts): no read
	// deadline (the body is empty), and each write gets its own.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // proxies must not hold events back
	w.WriteHeader(http.StatusOK)
	_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", eventRetry.Milliseconds()); err != nil {
		return nil
	}
	w.Flush()
	beat := s.opt.EventHeartbeat
	if beat <= 0 {
		beat = defaultHeartbeat
	}
	for {
		wait, cancel := context.WithTimeout(ctx, beat)
		evs, err := st.Next(wait)
		cancel()
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		switch {
		case ctx.Err() != nil, errors.Is(err, events.ErrClosed):
			return nil // the client left, or the process is stopping: it reconnects elsewhere
		case errors.Is(err, context.DeadlineExceeded):
			_, err = fmt.Fprint(w, ": heartbeat\n\n")
		case err != nil:
			s.log.Warn("event stream ended", "error", err)
			return nil // the client resumes with Last-Event-ID
		default:
			err = writeEvents(w, evs)
		}
		if err != nil {
			return nil
		}
		w.Flush()
	}
}

func writeEvents(w http.ResponseWriter, evs []events.Event) error {
	for _, ev := range evs {
		data, err := json.Marshal(ev.Job)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %s\ndata: %s\n\n", ev.ID, data); err != nil {
			return err
		}
	}
	return nil
}

package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph/storage"
)

// ReadyCheck is one part /health/ready checks beyond the database and the
// blob store, such as the queue schema; Check returns nil when the part is
// usable.
type ReadyCheck struct {
	Name  string
	Check func(context.Context) error
}

// Readiness is GET /health/ready: each part checked, "ok" or what is wrong
// with it, and the failing parts by name.
type Readiness struct {
	Status  string            `json:"status"` // ok | error
	Checks  map[string]string `json:"checks"`
	Failing []string          `json:"failing"`
}

// Liveness is GET /health/live: the process answers.
type Liveness struct {
	Status string `json:"status"` // always ok
}

// readyProbeKey is a key no object is ever stored under: asking for it
// proves the blob store answers without touching anyone's data.
const readyProbeKey = "health/ready-probe"

func (s *Server) health(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	body := Health{Status: "ok", Timestamp: time.Now().UTC(), Environment: s.opt.Environment, Database: "ok"}
	if err := s.opt.Store.Ping(ctx); err != nil {
		s.log.Warn("health: database unreachable", "error", err)
		body.Status, body.Database = "error", "unreachable"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}

// live answers while the process serves HTTP at all: a router restarts the
// process only when this fails.
func (s *Server) live(c echo.Context) error {
	return c.JSON(http.StatusOK, Liveness{Status: "ok"})
}

// ready checks every part a request needs, each within 2 s, and answers 503
// naming the failing ones, so a router sends traffic elsewhere.
func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := append([]ReadyCheck{
		{Name: "database", Check: s.opt.Store.Ping},
		{Name: "storage", Check: s.storageReachable},
	}, s.opt.Ready...)
	body := Readiness{Status: "ok", Checks: map[string]string{}, Failing: []string{}}
	for _, ch := range checks {
		if err := ch.Check(ctx); err != nil {
			s.log.Warn("ready: check failed", "part", ch.Name, "error", err)
			body.Checks[ch.Name] = err.Error()
			body.Failing = append(body.Failing, ch.Name)
			continue
		}
		body.Checks[ch.Name] = "ok"
	}
	if len(body.Failing) > 0 {
		body.Status = "error"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}

func (s *Server) storageReachable(ctx context.Context) error {
	_, err := s.opt.Blobs.Head(ctx, readyProbeKey)
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// echoTest answers a JSON body with itself (development only).
func (s *Server) echoTest(c echo.Context) error {
	var body any
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Echo{Received: body, Timestamp: time.Now().UTC()})
}

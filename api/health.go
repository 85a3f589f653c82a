package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

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

// echoTest answers a JSON body with itself (development only).
func (s *Server) echoTest(c echo.Context) error {
	var body any
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Echo{Received: body, Timestamp: time.Now().UTC()})
}

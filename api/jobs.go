package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// getJob answers any kind of the caller's jobs, in the one status
// vocabulary.
func (s *Server) getJob(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	job, err := s.opt.Store.Job(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}

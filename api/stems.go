package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
)

type stemRequest struct {
	FileID string                `json:"file_id"`
	Config phonoglyph.StemConfig `json:"config"`
}

// createStemJob enqueues a separation (or returns the live one for the same
// file and config) → 201 with the job.
func (s *Server) createStemJob(c echo.Context) error {
	var req stemRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if uuid.Validate(req.FileID) != nil {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "file_id: must be the id of one of your audio files.")
	}
	if err := req.Config.Normalize(); err != nil {
		return err
	}
	job, err := s.opt.Workflows.RequestStems(c.Request().Context(), userID(c), req.FileID, req.Config)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, StemJobBody{Job: stemJobView(job)})
}

func (s *Server) getStemJob(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	j, err := s.opt.Store.StemJob(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StemJobBody{Job: stemJobView(j)})
}

func (s *Server) listStemJobs(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	list, err := s.opt.Store.StemJobs(c.Request().Context(), userID(c), p)
	if err != nil {
		return err
	}
	out := make([]StemJob, 0, len(list))
	for _, j := range list {
		out = append(out, stemJobView(j))
	}
	next := nextCursor(list, p.Limit, func(j *phonoglyph.StemJob) (time.Time, string) { return j.CreatedAt, j.ID })
	return c.JSON(http.StatusOK, StemJobList{Jobs: out, NextCursor: next})
}

// cancelStemJob cancels a queued or running separation
// (workflow.CancelStemJob).
func (s *Server) cancelStemJob(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	j, err := s.opt.Workflows.CancelStemJob(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StemJobBody{Job: stemJobView(j)})
}

package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/jobs"
)

// requestAnalysis enqueues an analysis of the file, or returns the one
// already queued or running.
func (s *Server) requestAnalysis(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	job, err := s.opt.Workflows.RequestAnalysis(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, JobBody{Job: job})
}

// getAnalysis answers the cached analysis (200), the job still working on it
// (202), or 404 when there is none (with the reason when the last job failed).
func (s *Server) getAnalysis(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	owner := userID(c)
	stem := phonoglyph.StemType(c.QueryParam("stem"))
	if stem == "" {
		stem = f.AnalysisStem()
	}
	a, err := s.opt.Store.Analysis(ctx, owner, f.ID, stem, jobs.AnalysisVersion)
	if err == nil {
		return s.answerAnalysis(c, a)
	} else if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return err
	}
	job, err := s.opt.Store.LatestAnalysisJob(ctx, owner, f.ID, stem)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "No analysis of this file yet: POST /api/v1/files/%s/analysis to start one.", f.ID)
	} else if err != nil {
		return err
	}
	switch job.Status {
	case phonoglyph.StatusQueued, phonoglyph.StatusProcessing:
		return c.JSON(http.StatusAccepted, JobBody{Job: &job.Job})
	case phonoglyph.StatusFailed:
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "No analysis: the last analysis failed: %s", deref(job.Error))
	}
	return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "No analysis of this file.")
}

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

// answerAnalysis writes the frontend's document, streaming the per-frame
// analysisData from its blob (megabytes for a long track) instead of
// holding it in memory.
func (s *Server) answerAnalysis(c echo.Context, a *phonoglyph.Analysis) error {
	data, err := jobs.AnalysisData(c.Request().Context(), s.opt.Blobs, a)
	if err != nil {
		return err
	}
	defer data.Close()
	doc := a.Document()
	doc.AnalysisData = json.RawMessage(`null`) // a placeholder replaced by the stream below
	head, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	before, after, _ := bytes.Cut(head, []byte(`"analysisData":null`))
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	res.WriteHeader(http.StatusOK)
	for _, part := range [][]byte{before, []byte(`"analysisData":`)} {
		if _, err := res.Write(part); err != nil {
			return nil // the client went away
		}
	}
	if _, err := io.Copy(res, data); err != nil {
		s.log.WarnContext(c.Request().Context(), "stream analysis", "analysis_id", a.ID, "error", err)
		return nil
	}
	_, _ = res.Write(after)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

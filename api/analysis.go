package api

import (
	"encoding/json"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// requestAnalysis enqueues an analysis of the file, or returns the one
// already queued or running.
func (s *Server) requestAnalysis(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var job *phonoglyph.Job
	err = s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		f, err := q.FileForUpdate(ctx, userID(c), id)
		if err != nil {
			return err
		}
		job, err = s.opt.Jobs.RequestAnalysis(ctx, tx, f)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"job": job})
}

// analysisDocument is the frontend's cached-analysis shape.
type analysisDocument struct {
	ID             string          `json:"id"`
	FileMetadataID string          `json:"fileMetadataId"`
	StemType       string          `json:"stemType"`
	AnalysisData   json.RawMessage `json:"analysisData"`
	WaveformData   json.RawMessage `json:"waveformData"`
	Metadata       analysisMeta    `json:"metadata"`
}

type analysisMeta struct {
	SampleRate        int      `json:"sampleRate"`
	Duration          float64  `json:"duration"`
	BufferSize        int      `json:"bufferSize"`
	FeaturesExtracted []string `json:"featuresExtracted"`
	AnalysisDuration  int      `json:"analysisDuration"`
	AnalysisVersion   string   `json:"analysisVersion"`
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
	stem := c.QueryParam("stem")
	if stem == "" {
		stem = f.AnalysisStem()
	}
	a, err := s.opt.Store.Analysis(ctx, owner, f.ID, stem, jobs.AnalysisVersion)
	if err == nil {
		return c.JSON(http.StatusOK, analysisDocument{
			ID: a.ID, FileMetadataID: a.FileID, StemType: a.StemType, AnalysisData: a.Data, WaveformData: a.Waveform,
			Metadata: analysisMeta{SampleRate: a.SampleRate, Duration: a.Duration, BufferSize: a.BufferSize,
				FeaturesExtracted: a.Features, AnalysisDuration: a.AnalysisDurationMS, AnalysisVersion: a.Version},
		})
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
		return c.JSON(http.StatusAccepted, map[string]any{"job": job.Job})
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

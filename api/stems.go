package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/jobs"
	"phonoglyph/store"
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
	ctx := c.Request().Context()
	var job *store.StemJob
	err := s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		f, err := q.FileForUpdate(ctx, userID(c), req.FileID)
		if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "file_id: must be the id of one of your audio files.")
		} else if err != nil {
			return err
		}
		job, err = s.opt.Jobs.RequestStems(ctx, tx, f, req.Config)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"job": s.stemView(job)})
}

// stemView is a stem job as the frontend reads it: results.stems maps each
// stem to its new file id and a download URL.
func (s *Server) stemView(j *store.StemJob) map[string]any {
	view := map[string]any{"id": j.ID, "kind": j.Kind, "status": j.Status, "progress": j.Progress, "error": j.Error,
		"file_id": j.FileID, "config": j.Config, "results": nil, "created_at": j.CreatedAt, "updated_at": j.UpdatedAt}
	if j.Results != nil {
		stems := map[string]any{}
		for name, fileID := range j.Results.Stems {
			stems[name] = map[string]string{"file_id": fileID, "download_url": "/api/v1/files/" + fileID + "/download"}
		}
		view["results"] = map[string]any{"stems": stems}
	}
	return view
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
	return c.JSON(http.StatusOK, map[string]any{"job": s.stemView(j)})
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
	out := make([]map[string]any, 0, len(list))
	for _, j := range list {
		out = append(out, s.stemView(j))
	}
	next := nextCursor(list, p.Limit, func(j *store.StemJob) (time.Time, string) { return j.CreatedAt, j.ID })
	return c.JSON(http.StatusOK, map[string]any{"jobs": out, "next_cursor": next})
}

// cancelStemJob cancels a queued or running separation in River and, once
// committed, at RunPod; stems already written are cleaned up.
func (s *Server) cancelStemJob(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var j *store.StemJob
	err = s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		if j, err = q.StemJobForUpdate(ctx, userID(c), id); err != nil {
			return err
		}
		if j.Finished() {
			return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The separation already ended (%s).", j.Status)
		}
		if err := q.FinishStemJob(ctx, j.ID, phonoglyph.StatusCancelled, nil, nil); err != nil {
			return err
		}
		if riverID, err := q.StemRiverID(ctx, j.ID); err != nil {
			return err
		} else if riverID != 0 {
			if _, err := s.opt.Jobs.River.JobCancelTx(ctx, tx, riverID); err != nil {
				return err
			}
		}
		return s.opt.Jobs.RequestCleanup(ctx, tx, jobs.StemKeys(j))
	})
	if err != nil {
		return err
	}
	if j.ExternalID != nil && s.opt.RunPod != nil {
		if err := s.opt.RunPod.Cancel(ctx, *j.ExternalID); err != nil {
			s.log.WarnContext(ctx, "cancel at RunPod", "runpod_id", *j.ExternalID, "error", err)
		}
	}
	j.Status = phonoglyph.StatusCancelled
	return c.JSON(http.StatusOK, map[string]any{"job": s.stemView(j)})
}

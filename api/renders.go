package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/store"
)

// Render request limits: input props stay far below Lambda's inline limit
// (the analysis travels by URL), and a render reads a bounded set of files.
const (
	maxInputProps    = 150 << 10
	maxAnalysisFiles = 20
)

// validateRender checks a render request, naming the offending field.
func (s *Server) validateRender(c echo.Context, q *store.Queries, req *phonoglyph.RenderRequest) error {
	ctx := c.Request().Context()
	owner := userID(c)
	if req.Composition == "" {
		req.Composition = "RayboxMain"
	}
	if utf8.RuneCountInString(req.Composition) > 100 {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "composition: must be at most 100 characters.")
	}
	if req.Codec == "" {
		req.Codec = "h264"
	}
	if req.Codec != "h264" {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "codec: only h264 is supported.")
	}
	if req.AspectRatio == "" {
		req.AspectRatio = "9:16"
	}
	if _, _, err := phonoglyph.RenderSize(req.AspectRatio, 0); err != nil {
		return err
	}
	if req.FPS != 0 && req.FPS != 30 && req.FPS != 60 {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "fps: must be 30 or 60.")
	}
	if len(req.InputProps) > maxInputProps {
		return phonoglyph.Errorf(phonoglyph.ETOOLARGE, "input_props: must be at most %d KiB; pass analyses by analysis_file_ids.", maxInputProps>>10)
	}
	if len(req.InputProps) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(req.InputProps, &obj) != nil || obj == nil {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "input_props: must be a JSON object.")
		}
	}
	if len(req.AnalysisFileIDs) > maxAnalysisFiles {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "analysis_file_ids: at most %d files.", maxAnalysisFiles)
	}
	ids := req.AnalysisFileIDs
	if req.MasterFileID != nil {
		ids = append([]string{*req.MasterFileID}, ids...)
	}
	for _, id := range ids {
		if uuid.Validate(id) != nil {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "analysis_file_ids: %q is not a file id.", id)
		}
		if _, err := q.FileByID(ctx, owner, id); phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "analysis_file_ids: no file %s of yours.", id)
		} else if err != nil {
			return err
		}
	}
	req.ProjectName = strings.TrimSpace(req.ProjectName)
	if req.ProjectID != nil {
		p, err := q.Project(ctx, owner, *req.ProjectID)
		if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "project_id: no such project.")
		} else if err != nil {
			return err
		}
		if req.ProjectName == "" {
			req.ProjectName = p.Name
		}
	}
	if utf8.RuneCountInString(req.ProjectName) > 100 {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "project_name: must be at most 100 characters.")
	}
	return nil
}

// createRender records and enqueues a render → 201.
func (s *Server) createRender(c echo.Context) error {
	var req phonoglyph.RenderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	r := &phonoglyph.Render{ID: uuid.NewString(), UserID: userID(c)}
	err := s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		if err := s.validateRender(c, q, &req); err != nil {
			return err
		}
		r.Request, r.ProjectID = req, req.ProjectID
		if req.ProjectName != "" {
			r.ProjectName = &req.ProjectName
		}
		return s.opt.Jobs.RequestRender(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"render": renderView(r)})
}

// renderView adds the download link of a finished render.
func renderView(r *phonoglyph.Render) map[string]any {
	v := map[string]any{"id": r.ID, "status": r.Status, "progress": r.Progress, "error": r.Error, "project_id": r.ProjectID,
		"project_name": r.ProjectName, "costs": r.Costs, "expires_at": r.ExpiresAt, "output": nil, "request": r.Request,
		"created_at": r.CreatedAt, "updated_at": r.UpdatedAt}
	if r.OutputFileID != nil {
		v["output"] = map[string]string{"file_id": *r.OutputFileID, "download_url": "/api/v1/renders/" + r.ID + "/download"}
	}
	return v
}

func (s *Server) render(c echo.Context) (*phonoglyph.Render, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.opt.Store.Render(c.Request().Context(), userID(c), id)
}

func (s *Server) getRender(c echo.Context) error {
	r, err := s.render(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"render": renderView(r)})
}

func (s *Server) listRenders(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	list, err := s.opt.Store.Renders(c.Request().Context(), userID(c), p)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		out = append(out, renderView(r))
	}
	next := nextCursor(list, p.Limit, func(r *phonoglyph.Render) (time.Time, string) { return r.CreatedAt, r.ID })
	return c.JSON(http.StatusOK, map[string]any{"renders": out, "next_cursor": next})
}

// downloadRender redirects to the stored MP4, named after the project.
func (s *Server) downloadRender(c echo.Context) error {
	r, err := s.render(c)
	if err != nil {
		return err
	}
	if r.OutputFileID == nil {
		return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The render has no output (status %s).", r.Status)
	}
	f, err := s.opt.Store.FileByID(c.Request().Context(), r.UserID, *r.OutputFileID)
	if err != nil {
		return err
	}
	u, err := s.opt.Blobs.SignGet(c.Request().Context(), f.Key, f.FileName, s.opt.DownloadTTL)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, u.URL)
}

// cancelRender cancels a queued or running render in River. A Lambda render
// already started runs on to its end at AWS (Remotion has no cancel); its
// output is never copied.
func (s *Server) cancelRender(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var r *phonoglyph.Render
	err = s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		var riverID int64
		if r, riverID, err = q.RenderForUpdate(ctx, userID(c), id); err != nil {
			return err
		}
		if r.Finished() {
			return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The render already ended (%s).", r.Status)
		}
		if err := q.FinishRender(ctx, r.ID, phonoglyph.StatusCancelled, nil); err != nil {
			return err
		}
		if riverID != 0 {
			if _, err := s.opt.Jobs.River.JobCancelTx(ctx, tx, riverID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Status = phonoglyph.StatusCancelled
	return c.JSON(http.StatusOK, map[string]any{"render": renderView(r)})
}

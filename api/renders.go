package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// createRender records and enqueues a render (workflow.CreateRender) → 201.
func (s *Server) createRender(c echo.Context) error {
	var req phonoglyph.RenderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.opt.Workflows.CreateRender(c.Request().Context(), userID(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, RenderBody{Render: renderView(r)})
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
	return c.JSON(http.StatusOK, RenderBody{Render: renderView(r)})
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
	out := make([]Render, 0, len(list))
	for _, r := range list {
		out = append(out, renderView(r))
	}
	next := nextCursor(list, p.Limit, func(r *phonoglyph.Render) (time.Time, string) { return r.CreatedAt, r.ID })
	return c.JSON(http.StatusOK, RenderList{Renders: out, NextCursor: next})
}

// downloadRender redirects to the stored MP4, named after the project.
func (s *Server) downloadRender(c echo.Context) error {
	r, err := s.render(c)
	if err != nil {
		return err
	}
	if r.OutputFileID == nil && r.Status == phonoglyph.StatusCompleted {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "The render's output has expired or was deleted with its project (status expired).")
	}
	if r.OutputFileID == nil {
		return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The render has no output (status %s).", r.Status)
	}
	f, err := s.opt.Store.FileByID(c.Request().Context(), r.UserID, *r.OutputFileID)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "The render's output has expired or was deleted with its project (status expired).")
	}
	if err != nil {
		return err
	}
	return s.redirectTo(c, f.Key, f.FileName)
}

// cancelRender cancels a queued or running render (workflow.CancelRender).
func (s *Server) cancelRender(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.opt.Workflows.CancelRender(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RenderBody{Render: renderView(r)})
}

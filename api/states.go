package api

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/store"
)

// Auto-save limits: the versions kept per project and user, and the size of
// one saved editor state.
const (
	keepEditStates = 10
	maxEditState   = 512 << 10
)

// saveState stores the next version of the caller's editor state. The
// project row lock serialises saves from several tabs, so every save gets
// its own consecutive version and exactly one is current.
func (s *Server) saveState(c echo.Context) error {
	var req struct {
		Data json.RawMessage `json:"data"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Data) == 0 || string(req.Data) == "null" {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "data: required.")
	}
	if len(req.Data) > maxEditState {
		return phonoglyph.Errorf(phonoglyph.ETOOLARGE, "data: must be at most %d KiB.", maxEditState>>10)
	}
	ctx := c.Request().Context()
	var st *phonoglyph.EditState
	err := s.opt.Store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProjectForUpdate(ctx, userID(c), c.Param("id")); err != nil {
			return err
		}
		var err error
		st, err = tx.SaveEditState(ctx, userID(c), c.Param("id"), uuid.NewString(), req.Data, keepEditStates)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, StateBody{State: st})
}

func (s *Server) listStates(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.opt.Store.Project(ctx, userID(c), c.Param("id")); err != nil {
		return err
	}
	limit, err := intParam(c, "limit", keepEditStates, 1, 50)
	if err != nil {
		return err
	}
	offset, err := intParam(c, "offset", 0, 0, 1000)
	if err != nil {
		return err
	}
	states, err := s.opt.Store.EditStates(ctx, userID(c), c.Param("id"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StateList{States: orEmpty(states)})
}

func (s *Server) currentState(c echo.Context) error {
	st, err := s.opt.Store.EditState(c.Request().Context(), userID(c), c.Param("id"), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StateBody{State: st})
}

func (s *Server) restoreState(c echo.Context) error {
	sid, err := uuid.Parse(c.Param("sid"))
	if err != nil {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "Saved state not found.")
	}
	ctx := c.Request().Context()
	var st *phonoglyph.EditState
	err = s.opt.Store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProjectForUpdate(ctx, userID(c), c.Param("id")); err != nil {
			return err
		}
		st, err = tx.RestoreEditState(ctx, userID(c), c.Param("id"), sid.String())
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StateBody{State: st})
}

// deleteStates deletes one saved version (:sid) or all of them.
func (s *Server) deleteStates(c echo.Context) error {
	sid := ""
	if raw := c.Param("sid"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "Saved state not found.")
		}
		sid = id.String()
	}
	ctx := c.Request().Context()
	err := s.opt.Store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ProjectForUpdate(ctx, userID(c), c.Param("id")); err != nil {
			return err
		}
		return tx.DeleteEditStates(ctx, userID(c), c.Param("id"), sid)
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/store"
)

// maxRenderConfiguration caps a project's render_configuration JSON.
const maxRenderConfiguration = 256 << 10

// projectFields are the writable fields of a project; nil means "leave as
// is" on PATCH and "default" on create. An empty string clears an optional
// text field.
type projectFields struct {
	Name                *string         `json:"name"`
	Description         *string         `json:"description"`
	Genre               *string         `json:"genre"`
	PrivacySetting      *string         `json:"privacy_setting"`
	RenderConfiguration json.RawMessage `json:"render_configuration"`
	ThumbnailURL        *string         `json:"thumbnail_url"`
	PrimaryMIDIFileID   *string         `json:"primary_midi_file_id"`
}

// apply validates the fields and writes them onto p.
func (f *projectFields) apply(ctx context.Context, q *store.Queries, p *phonoglyph.Project) error {
	if f.Name != nil {
		name, err := phonoglyph.CleanProjectName(*f.Name)
		if err != nil {
			return err
		}
		p.Name = name
	}
	if err := setText(&p.Description, f.Description, "description", 500); err != nil {
		return err
	}
	if err := setText(&p.Genre, f.Genre, "genre", 100); err != nil {
		return err
	}
	if err := setText(&p.ThumbnailURL, f.ThumbnailURL, "thumbnail_url", 2048); err != nil {
		return err
	}
	if f.ThumbnailURL != nil && *f.ThumbnailURL != "" && !webURL(*f.ThumbnailURL) {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "thumbnail_url: must be an http or https URL.")
	}
	if f.PrivacySetting != nil {
		switch *f.PrivacySetting {
		case phonoglyph.PrivacyPrivate, phonoglyph.PrivacyUnlisted, phonoglyph.PrivacyPublic:
			p.PrivacySetting = *f.PrivacySetting
		default:
			return phonoglyph.Errorf(phonoglyph.EINVALID, "privacy_setting: must be private, unlisted or public.")
		}
	}
	if f.RenderConfiguration != nil {
		if len(f.RenderConfiguration) > maxRenderConfiguration {
			return phonoglyph.Errorf(phonoglyph.ETOOLARGE, "render_configuration: must be at most %d KiB.", maxRenderConfiguration>>10)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(f.RenderConfiguration, &obj) != nil || obj == nil {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "render_configuration: must be a JSON object.")
		}
		p.RenderConfiguration = f.RenderConfiguration
	}
	if f.PrimaryMIDIFileID != nil {
		if *f.PrimaryMIDIFileID == "" {
			p.PrimaryMIDIFileID = nil
			return nil
		}
		file, err := q.FileByID(ctx, p.UserID, *f.PrimaryMIDIFileID)
		if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND || (err == nil && file.FileType != phonoglyph.FileMIDI) {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "primary_midi_file_id: must name one of your MIDI files.")
		} else if err != nil {
			return err
		}
		p.PrimaryMIDIFileID = &file.ID
	}
	return nil
}

// webURL reports whether s is an absolute http(s) URL with a host, the only
// kind a browser may be pointed at from a project (never javascript: or
// data:).
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// setText sets an optional text field: nil leaves it, "" clears it.
func setText(dst **string, v *string, field string, max int) error {
	if v == nil {
		return nil
	}
	if *v == "" {
		*dst = nil
		return nil
	}
	if utf8.RuneCountInString(*v) > max {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must be at most %d characters.", field, max)
	}
	s := *v
	*dst = &s
	return nil
}

func (s *Server) createProject(c echo.Context) error {
	var req projectFields
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "name: required.")
	}
	p := &phonoglyph.Project{ID: phonoglyph.NewProjectID(time.Now()), UserID: userID(c), PrivacySetting: phonoglyph.PrivacyPrivate,
		RenderConfiguration: json.RawMessage(`{}`)}
	ctx := c.Request().Context()
	err := s.opt.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := req.apply(ctx, tx.Queries, p); err != nil {
			return err
		}
		return tx.CreateProject(ctx, p)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ProjectBody{Project: p})
}

func (s *Server) getProject(c echo.Context) error {
	p, err := s.opt.Store.Project(c.Request().Context(), userID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ProjectBody{Project: p})
}

func (s *Server) updateProject(c echo.Context) error {
	var req projectFields
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var p *phonoglyph.Project
	err := s.opt.Store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.ProjectForUpdate(ctx, userID(c), c.Param("id")); err != nil {
			return err
		}
		if err := req.apply(ctx, tx.Queries, p); err != nil {
			return err
		}
		return tx.UpdateProject(ctx, p)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ProjectBody{Project: p})
}

// listProjects answers ?search=&sort=created_at|updated_at|name&order=asc|desc&limit=&offset=.
func (s *Server) listProjects(c echo.Context) error {
	pq := phonoglyph.ProjectQuery{Search: c.QueryParam("search"), Sort: c.QueryParam("sort"), Desc: true, Limit: 20}
	if pq.Sort == "" {
		pq.Sort = "updated_at"
	}
	if pq.Sort != "created_at" && pq.Sort != "updated_at" && pq.Sort != "name" {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "sort: must be created_at, updated_at or name.")
	}
	switch c.QueryParam("order") {
	case "", "desc":
	case "asc":
		pq.Desc = false
	default:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "order: must be asc or desc.")
	}
	var err error
	if pq.Limit, err = intParam(c, "limit", pq.Limit, 1, 50); err != nil {
		return err
	}
	if pq.Offset, err = intParam(c, "offset", 0, 0, 1_000_000); err != nil {
		return err
	}
	if utf8.RuneCountInString(pq.Search) > 100 {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "search: must be at most 100 characters.")
	}
	projects, total, err := s.opt.Store.Projects(c.Request().Context(), userID(c), pq)
	if err != nil {
		return err
	}
	var next *int
	if end := pq.Offset + len(projects); end < total {
		next = &end
	}
	return c.JSON(http.StatusOK, ProjectList{Projects: orEmpty(projects), Total: total, NextOffset: next})
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must be %d..%d.", name, lo, hi)
	}
	return n, nil
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deleteProject deletes the project and its files (workflow.DeleteProject).
func (s *Server) deleteProject(c echo.Context) error {
	if err := s.opt.Workflows.DeleteProject(c.Request().Context(), userID(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type duplicateRequest struct {
	Name         *string `json:"name"`
	IncludeFiles bool    `json:"include_files"`
}

// duplicateProject copies a project, with include_files its files
// (workflow.DuplicateProject).
func (s *Server) duplicateProject(c echo.Context) error {
	req := duplicateRequest{}
	if err := decodeOptionalJSON(c, &req); err != nil {
		return err
	}
	dup, err := s.opt.Workflows.DuplicateProject(c.Request().Context(), userID(c), c.Param("id"), req.Name, req.IncludeFiles)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, DuplicatedProject{Project: dup.Project, Files: orEmpty(dup.Files), Jobs: orEmpty(dup.Jobs)})
}

func (s *Server) listProjectFiles(c echo.Context) error {
	if _, err := s.opt.Store.Project(c.Request().Context(), userID(c), c.Param("id")); err != nil {
		return err
	}
	return s.answerFiles(c, c.Param("id"))
}

package api

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/store"
)

// maxDuplicateFiles bounds the files one duplicate request copies.
const maxDuplicateFiles = 100

type duplicateRequest struct {
	Name         *string `json:"name"`
	IncludeFiles bool    `json:"include_files"`
}

// duplicateProject copies a project's settings and, with include_files, its
// uploaded files. Files are copied (new objects, new rows, analyses queued)
// rather than shared, so deleting either project never breaks the other.
func (s *Server) duplicateProject(c echo.Context) error {
	req := duplicateRequest{}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	owner := userID(c)
	src, err := s.opt.Store.Project(ctx, owner, c.Param("id"))
	if err != nil {
		return err
	}
	dup := *src
	dup.ID = newProjectID(time.Now())
	name := src.Name + " (copy)"
	if req.Name == nil {
		req.Name = &name
	}
	var files []*phonoglyph.File
	if req.IncludeFiles {
		if files, err = s.opt.Store.ProjectSourceFiles(ctx, owner, src.ID, maxDuplicateFiles+1); err != nil {
			return err
		}
		if len(files) > maxDuplicateFiles {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "include_files: a project with more than %d files cannot be duplicated with its files.", maxDuplicateFiles)
		}
	}
	copies, err := s.copyFiles(ctx, files, dup.ID)
	if err != nil {
		return err
	}
	var queued []*phonoglyph.Job
	err = s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		if err := (&projectFields{Name: req.Name}).apply(c, q, &dup); err != nil {
			return err
		}
		if dup.PrimaryMIDIFileID != nil {
			dup.PrimaryMIDIFileID = nil // points into the source project; re-pointed below when copied
		}
		if err := q.CreateProject(ctx, &dup); err != nil {
			return err
		}
		for i, f := range copies {
			if err := q.CreateFile(ctx, f); err != nil {
				return err
			}
			if src.PrimaryMIDIFileID != nil && files[i].ID == *src.PrimaryMIDIFileID {
				dup.PrimaryMIDIFileID = &f.ID
			}
			if f.FileType == string(filetype.Audio) {
				job, err := s.opt.Jobs.RequestAnalysis(ctx, tx, f)
				if err != nil {
					return err
				}
				queued = append(queued, job)
			}
		}
		if dup.PrimaryMIDIFileID != nil {
			return q.UpdateProject(ctx, &dup)
		}
		return nil
	})
	if err != nil {
		for _, f := range copies {
			_ = s.opt.Blobs.Delete(context.WithoutCancel(ctx), f.Key)
		}
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"project": dup, "files": orEmpty(copies), "jobs": orEmpty(queued)})
}

// copyFiles copies the objects of files into new keys and returns the rows
// to insert for them in project projectID.
func (s *Server) copyFiles(ctx context.Context, files []*phonoglyph.File, projectID string) ([]*phonoglyph.File, error) {
	copies := make([]*phonoglyph.File, 0, len(files))
	for _, f := range files {
		cp := *f
		cp.ID, cp.ProjectID = uuid.NewString(), &projectID
		cp.Key = uploadKey(filetype.Kind(f.FileType), f.UserID, f.FileName, time.Now())
		if err := s.copyObject(ctx, f.Key, cp.Key); err != nil {
			for _, done := range copies {
				_ = s.opt.Blobs.Delete(context.WithoutCancel(ctx), done.Key)
			}
			return nil, err
		}
		copies = append(copies, &cp)
	}
	return copies, nil
}

func (s *Server) copyObject(ctx context.Context, from, to string) error {
	rc, info, err := s.opt.Blobs.Open(ctx, from)
	if err != nil {
		return err
	}
	defer rc.Close()
	return s.opt.Blobs.Put(ctx, to, rc, info.Size, info.ContentType)
}

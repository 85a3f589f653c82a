package workflow

import (
	"context"
	"unicode/utf8"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/store"
)

// CreateRender validates a render request (its own fields, then that the
// files and project it names are the caller's), records it and enqueues it.
// Live renders count against Quotas.LiveRenders.
func (s *Service) CreateRender(ctx context.Context, owner string, req phonoglyph.RenderRequest) (*phonoglyph.Render, error) {
	if err := req.Normalize(); err != nil {
		return nil, err
	}
	r := &phonoglyph.Render{ID: uuid.NewString(), UserID: owner}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockUserQuota(ctx, owner); err != nil {
			return err
		}
		if err := s.checkReferences(ctx, tx, owner, &req); err != nil {
			return err
		}
		r.Request, r.ProjectID = req, req.ProjectID
		if req.ProjectName != "" {
			r.ProjectName = &req.ProjectName
		}
		if err := s.jobs.RequestRender(ctx, tx, r); err != nil {
			return err
		}
		return s.checkLive(ctx, tx, store.Renders, owner)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// checkReferences checks that the files and the project a render names are
// the caller's, and names the render after its project by default.
func (s *Service) checkReferences(ctx context.Context, tx *store.Tx, owner string, req *phonoglyph.RenderRequest) error {
	ids := req.AnalysisFileIDs
	if req.MasterFileID != nil {
		ids = append([]string{*req.MasterFileID}, ids...)
	}
	for _, id := range ids {
		if uuid.Validate(id) != nil {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "analysis_file_ids: %q is not a file id.", id)
		}
		if _, err := tx.FileByID(ctx, owner, id); phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "analysis_file_ids: no file %s of yours.", id)
		} else if err != nil {
			return err
		}
	}
	if req.ProjectID != nil {
		p, err := tx.Project(ctx, owner, *req.ProjectID)
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

// CancelRender cancels a queued or running render: its row and River job.
// A Lambda render already started runs on to its end at AWS (Remotion has
// no cancel); its output is never copied.
func (s *Service) CancelRender(ctx context.Context, owner, id string) (*phonoglyph.Render, error) {
	var r *phonoglyph.Render
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RenderForUpdate(ctx, owner, id); err != nil {
			return err
		}
		if r.Finished() {
			return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The render already ended (%s).", r.Status)
		}
		return s.jobs.Cancel(ctx, tx, store.Renders, r.ID)
	})
	if err != nil {
		return nil, err
	}
	r.Status = phonoglyph.StatusCancelled
	return r, nil
}

package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/objectkey"
)

type createFileRequest struct {
	FileName  string               `json:"file_name"`
	FileSize  int64                `json:"file_size"`
	MimeType  string               `json:"mime_type"`
	ProjectID *string              `json:"project_id"`
	StemType  *phonoglyph.StemType `json:"stem_type"`
	IsMaster  bool                 `json:"is_master"`
}

// createFile validates a declared upload, records it as uploading and answers
// a signed PUT URL for the bytes.
func (s *Server) createFile(c echo.Context) error {
	var req createFileRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	kind, err := filetype.Classify(req.FileName, req.MimeType, req.FileSize, s.opt.FileLimits)
	if err != nil {
		return err
	}
	if req.StemType != nil && !req.StemType.Valid() {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "stem_type: must be one of %s.", phonoglyph.StemTypeList())
	}
	owner := userID(c)
	ctx := c.Request().Context()
	if req.ProjectID != nil {
		if _, err := s.opt.Store.Project(ctx, owner, *req.ProjectID); phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "project_id: no such project.")
		} else if err != nil {
			return err
		}
	}
	f := &phonoglyph.File{
		ID: uuid.NewString(), UserID: owner, FileName: req.FileName, FileType: kind,
		MimeType: req.MimeType, FileSize: req.FileSize, UploadStatus: phonoglyph.UploadUploading,
		IsMaster: req.IsMaster, StemType: req.StemType, ProjectID: req.ProjectID,
		Key: objectkey.Upload(kind, owner, req.FileName, time.Now()),
	}
	if err := s.opt.Store.CreateFile(ctx, f); err != nil {
		return err
	}
	up, err := s.opt.Blobs.SignPut(ctx, f.Key, f.MimeType, f.FileSize, s.opt.UploadTTL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, DeclaredUpload{File: f, Upload: up})
}

// file resolves :id to one of the caller's files.
func (s *Server) file(c echo.Context) (*phonoglyph.File, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.opt.Store.FileByID(c.Request().Context(), userID(c), id)
}

func (s *Server) getFile(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, FileBody{File: f})
}

func (s *Server) listFiles(c echo.Context) error {
	return s.answerFiles(c, "")
}

// answerFiles answers one page of the caller's files, of one project when
// projectID is set.
func (s *Server) answerFiles(c echo.Context, projectID string) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	files, err := s.opt.Store.Files(c.Request().Context(), userID(c), projectID, p)
	if err != nil {
		return err
	}
	next := nextCursor(files, p.Limit, func(f *phonoglyph.File) (time.Time, string) { return f.CreatedAt, f.ID })
	return c.JSON(http.StatusOK, FileList{Files: orEmpty(files), NextCursor: next})
}

// completeFile completes an upload (workflow.CompleteUpload) and answers the
// file with the jobs processing it.
func (s *Server) completeFile(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, queued, err := s.opt.Workflows.CompleteUpload(c.Request().Context(), userID(c), id)
	if err != nil {
		return err
	}
	refs := make([]JobRef, 0, len(queued))
	for _, j := range queued {
		refs = append(refs, JobRef{ID: j.ID, Kind: j.Kind, Status: j.Status})
	}
	return c.JSON(http.StatusOK, CompletedUpload{File: f, Jobs: refs})
}

// downloadFile redirects to a short-lived signed URL of the object.
func (s *Server) downloadFile(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The file's upload is not complete.")
	}
	return s.redirectTo(c, f.Key, f.FileName)
}

// thumbnail redirects to the file's waveform thumbnail (made by its
// analysis).
func (s *Server) thumbnail(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	if f.ThumbnailKey == nil {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "This file has no thumbnail yet.")
	}
	return s.redirectTo(c, *f.ThumbnailKey, "")
}

// redirectTo answers a 302 to a signed, expiring URL of key, an attachment
// named downloadName when that is not empty.
func (s *Server) redirectTo(c echo.Context, key, downloadName string) error {
	u, err := s.opt.Blobs.SignGet(c.Request().Context(), key, downloadName, s.opt.DownloadTTL)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, u.URL)
}

// deleteFile deletes the file with everything derived from it
// (workflow.DeleteFile).
func (s *Server) deleteFile(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.opt.Workflows.DeleteFile(c.Request().Context(), userID(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

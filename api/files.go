package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/storage"
	"phonoglyph/store"
)

type createFileRequest struct {
	FileName  string  `json:"file_name"`
	FileSize  int64   `json:"file_size"`
	MimeType  string  `json:"mime_type"`
	ProjectID *string `json:"project_id"`
	StemType  *string `json:"stem_type"`
	IsMaster  bool    `json:"is_master"`
}

// stemTypes are the stem types a file may be labelled with.
var stemTypes = map[string]bool{"master": true, "vocals": true, "drums": true, "bass": true, "other": true, "piano": true, "accompaniment": true, "melody": true}

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
	if req.StemType != nil && !stemTypes[*req.StemType] {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "stem_type: must be one of master, vocals, drums, bass, piano, other, accompaniment, melody.")
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
		ID: uuid.NewString(), UserID: owner, FileName: req.FileName, FileType: string(kind),
		MimeType: req.MimeType, FileSize: req.FileSize, UploadStatus: phonoglyph.UploadUploading,
		IsMaster: req.IsMaster, StemType: req.StemType, ProjectID: req.ProjectID,
	}
	f.Key = uploadKey(kind, owner, req.FileName, time.Now())
	if err := s.opt.Store.CreateFile(ctx, f); err != nil {
		return err
	}
	up, err := s.opt.Blobs.SignPut(ctx, f.Key, f.MimeType, f.FileSize, s.opt.UploadTTL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"file": f, "upload": up})
}

// maxKeyName bounds the name part of a key so the last path segment stays
// within common filesystem and object-store limits.
const maxKeyName = 160

// uploadKey follows the original layout {kind}/{user}/{ms}_{name}, with a
// random tag so two uploads of one name in the same millisecond differ.
// Long names keep their end, where the extension is.
func uploadKey(kind filetype.Kind, owner, name string, now time.Time) string {
	var tag [4]byte
	_, _ = rand.Read(tag[:])
	safe := filetype.SanitizeName(name)
	if len(safe) > maxKeyName {
		safe = safe[len(safe)-maxKeyName:]
	}
	return fmt.Sprintf("%s/%s/%d_%s_%s", kind, owner, now.UnixMilli(), hex.EncodeToString(tag[:]), safe)
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
	return c.JSON(http.StatusOK, map[string]any{"file": f})
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
	return c.JSON(http.StatusOK, map[string]any{"files": orEmpty(files), "next_cursor": next})
}

// completeFile checks the uploaded object against the declaration (size,
// magic bytes), marks the file completed and, for audio, enqueues its
// analysis in the same transaction. A file failing the check is marked
// failed and its object removed.
func (s *Server) completeFile(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	owner := userID(c)
	switch f.UploadStatus {
	case phonoglyph.UploadFailed:
		return phonoglyph.Errorf(phonoglyph.ECONFLICT, "This upload failed: %s", deref(f.UploadError))
	case phonoglyph.UploadCompleted:
		return s.answerCompleted(c, f, nil)
	}
	if problem, err := s.checkUpload(c, f); err != nil {
		return err
	} else if problem != nil {
		msg := problem.Message
		if err := s.opt.Store.SetUploadStatus(ctx, owner, f.ID, phonoglyph.UploadFailed, &msg); err != nil {
			return err
		}
		if err := s.opt.Blobs.Delete(ctx, f.Key); err != nil {
			s.log.WarnContext(ctx, "delete rejected upload", "key", f.Key, "error", err)
		}
		return problem
	}

	var queued []*phonoglyph.Job
	err = s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		locked, err := q.FileForUpdate(ctx, owner, f.ID)
		if err != nil {
			return err
		}
		if locked.UploadStatus != phonoglyph.UploadUploading { // a concurrent completion won
			f = locked
			return nil
		}
		if err := q.SetUploadStatus(ctx, owner, f.ID, phonoglyph.UploadCompleted, nil); err != nil {
			return err
		}
		if f, err = q.FileByID(ctx, owner, f.ID); err != nil {
			return err
		}
		job, err := s.enqueueProcessing(ctx, tx, f)
		if job != nil {
			queued = append(queued, job)
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.answerCompleted(c, f, queued)
}

// enqueueProcessing enqueues, in tx, the job a completed upload of f's type
// needs: analysis for audio, parsing for MIDI; nil for other types.
func (s *Server) enqueueProcessing(ctx context.Context, tx pgx.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	switch filetype.Kind(f.FileType) {
	case filetype.Audio:
		return s.opt.Jobs.RequestAnalysis(ctx, tx, f)
	case filetype.MIDI:
		return s.opt.Jobs.RequestMIDIParse(ctx, tx, f)
	}
	return nil, nil
}

// checkUpload returns the problem that makes an uploaded object unacceptable
// (as a user-facing error), nil when it is fine, or err when the check itself
// could not run.
func (s *Server) checkUpload(c echo.Context, f *phonoglyph.File) (problem *phonoglyph.Error, err error) {
	ctx := c.Request().Context()
	info, err := s.opt.Blobs.Head(ctx, f.Key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "No bytes were uploaded yet: PUT the file to the upload URL first.")
	} else if err != nil {
		return nil, err
	}
	if info.Size != f.FileSize {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Uploaded size %d bytes does not match the declared %d bytes.", info.Size, f.FileSize), nil
	}
	head, err := s.opt.Blobs.ReadHead(ctx, f.Key, filetype.SniffLen)
	if err != nil {
		return nil, err
	}
	if err := filetype.MatchMagic(f.FileName, head); err != nil {
		var ae *phonoglyph.Error
		if errors.As(err, &ae) {
			return ae, nil
		}
		return nil, err
	}
	return nil, nil
}

// answerCompleted answers a completed file with its analysis job: the one
// just queued, or for a repeated completion the latest one.
func (s *Server) answerCompleted(c echo.Context, f *phonoglyph.File, queued []*phonoglyph.Job) error {
	if len(queued) == 0 {
		j, err := s.processingJob(c, f)
		if err != nil {
			return err
		}
		if j != nil {
			queued = append(queued, j)
		}
	}
	out := make([]map[string]any, 0, len(queued))
	for _, j := range queued {
		out = append(out, map[string]any{"id": j.ID, "kind": j.Kind, "status": j.Status})
	}
	return c.JSON(http.StatusOK, map[string]any{"file": f, "jobs": out})
}

// processingJob is the latest processing job of a completed file, if any.
func (s *Server) processingJob(c echo.Context, f *phonoglyph.File) (*phonoglyph.Job, error) {
	ctx := c.Request().Context()
	var (
		job *phonoglyph.Job
		err error
	)
	switch filetype.Kind(f.FileType) {
	case filetype.Audio:
		var j *store.AnalysisJob
		if j, err = s.opt.Store.LatestAnalysisJob(ctx, f.UserID, f.ID, f.AnalysisStem()); err == nil {
			job = &j.Job
		}
	case filetype.MIDI:
		var m *phonoglyph.MIDIFile
		if m, err = s.opt.Store.MIDIFile(ctx, f.UserID, f.ID); err == nil {
			job, err = s.opt.Store.Job(ctx, f.UserID, m.ID)
		}
	}
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil, nil
	}
	return job, err
}

// downloadFile redirects to a short-lived signed URL of the object.
func (s *Server) downloadFile(c echo.Context) error {
	f, err := s.file(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The file's upload is not complete.")
	}
	u, err := s.opt.Blobs.SignGet(ctx, f.Key, f.FileName, s.opt.DownloadTTL)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, u.URL)
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
	u, err := s.opt.Blobs.SignGet(c.Request().Context(), *f.ThumbnailKey, "", s.opt.DownloadTTL)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, u.URL)
}

// deleteFile removes the row (and by cascade derived rows) and, in the same
// transaction, enqueues the deletion of the objects of the file and of every
// file derived from it, so no object outlives its row.
func (s *Server) deleteFile(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.deleteRows(c, func(ctx context.Context, q *store.Queries) ([]string, error) {
		return q.DeleteFile(ctx, userID(c), id)
	})
}

// deleteRows runs del, which deletes rows and returns the object keys they
// held, and enqueues the objects' deletion in the same transaction: no
// object outlives its row, however many there are.
func (s *Server) deleteRows(c echo.Context, del func(context.Context, *store.Queries) ([]string, error)) error {
	ctx := c.Request().Context()
	err := s.opt.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		keys, err := del(ctx, q)
		if err != nil {
			return err
		}
		return s.opt.Jobs.RequestCleanup(ctx, tx, keys)
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/jobs"
	"phonoglyph/objectkey"
)

// The /files endpoints: declaring, completing, listing, downloading and
// deleting uploads, and their analyses.

type createFileRequest struct {
	FileName  string               `json:"file_name"`
	FileSize  int64                `json:"file_size"`
	MimeType  string               `json:"mime_type"`
	ProjectID *string              `json:"project_id"`
	StemType  *phonoglyph.StemType `json:"stem_type"`
	IsMaster  bool                 `json:"is_master"`
}

// createFile validates a declared upload, records it as uploading
// (workflow.DeclareUpload, which checks the quotas) and answers a signed PUT
// URL for the bytes.
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
	f := &phonoglyph.File{
		ID: uuid.NewString(), UserID: owner, FileName: req.FileName, FileType: kind,
		MimeType: req.MimeType, FileSize: req.FileSize, UploadStatus: phonoglyph.UploadUploading,
		IsMaster: req.IsMaster, StemType: req.StemType, ProjectID: req.ProjectID,
		Key: objectkey.Upload(kind, owner, req.FileName, time.Now()),
	}
	if err := s.opt.Workflows.DeclareUpload(ctx, f); err != nil {
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

// maxAnalysisReason caps the reason given for analysing a file again.
const maxAnalysisReason = 500

// requestAnalysis enqueues an analysis of the file (202), or returns the one
// already queued or running (202) or, for a file already analysed, its
// finished job (200): it runs again only when asked with a reason, in the
// body ({"reason":"…"}) or as ?force=true&reason=….
func (s *Server) requestAnalysis(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptionalJSON(c, &req); err != nil {
		return err
	}
	if req.Reason == "" {
		req.Reason = c.QueryParam("reason")
	}
	switch force := c.QueryParam("force"); {
	case force != "" && force != "true" && force != "false":
		return phonoglyph.Errorf(phonoglyph.EINVALID, "force: must be true or false.")
	case force == "true" && req.Reason == "":
		return phonoglyph.Errorf(phonoglyph.EINVALID, "reason: required with force=true: say why the analysis should run again.")
	case utf8.RuneCountInString(req.Reason) > maxAnalysisReason:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "reason: must be at most %d characters.", maxAnalysisReason)
	}
	job, again, err := s.opt.Workflows.RequestAnalysis(c.Request().Context(), userID(c), id, req.Reason)
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if !again {
		status = http.StatusOK
	}
	return c.JSON(status, JobBody{Job: job})
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
	stem := phonoglyph.StemType(c.QueryParam("stem"))
	if stem == "" {
		stem = f.AnalysisStem()
	}
	a, err := s.opt.Store.Analysis(ctx, owner, f.ID, stem, jobs.AnalysisVersion)
	if err == nil {
		return s.answerAnalysis(c, a)
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
		return c.JSON(http.StatusAccepted, JobBody{Job: &job.Job})
	case phonoglyph.StatusFailed:
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "No analysis: the last analysis failed: %s", deref(job.Error))
	case phonoglyph.StatusCompleted: // it completed after the first read
		if a, err := s.opt.Store.Analysis(ctx, owner, f.ID, stem, jobs.AnalysisVersion); err == nil {
			return s.answerAnalysis(c, a)
		} else if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
			return err
		}
	}
	return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "No analysis of this file.")
}

// answerAnalysis writes the frontend's document, streaming the per-frame
// analysisData from its blob (megabytes for a long track) instead of
// holding it in memory.
func (s *Server) answerAnalysis(c echo.Context, a *phonoglyph.Analysis) error {
	data, err := jobs.AnalysisData(c.Request().Context(), s.opt.Blobs, a)
	if err != nil {
		return err
	}
	defer data.Close()
	doc := a.Document()
	doc.AnalysisData = json.RawMessage(`null`) // a placeholder replaced by the stream below
	head, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	before, after, _ := bytes.Cut(head, []byte(`"analysisData":null`))
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	res.WriteHeader(http.StatusOK)
	for _, part := range [][]byte{before, []byte(`"analysisData":`)} {
		if _, err := res.Write(part); err != nil {
			return nil // the client went away
		}
	}
	if _, err := io.Copy(res, data); err != nil {
		s.log.WarnContext(c.Request().Context(), "stream analysis", "analysis_id", a.ID, "error", err)
		return nil
	}
	_, _ = res.Write(after)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

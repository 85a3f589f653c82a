package workflow

import (
	"context"
	"errors"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// CompleteUpload checks an uploaded object against its declaration (size,
// magic bytes), marks the file completed and, in the same transaction,
// enqueues what a completed file of its kind needs (jobs.ProcessFile). A
// file failing the check is marked failed and its object removed; the
// problem is returned as the error. Completing twice is harmless: the
// second completion answers the file's latest processing job.
func (s *Service) CompleteUpload(ctx context.Context, owner, fileID string) (*phonoglyph.File, []*phonoglyph.Job, error) {
	f, err := s.store.FileByID(ctx, owner, fileID)
	if err != nil {
		return nil, nil, err
	}
	switch f.UploadStatus {
	case phonoglyph.UploadFailed:
		return nil, nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "This upload failed: %s", deref(f.UploadError))
	case phonoglyph.UploadCompleted:
		return s.withProcessingJob(ctx, f, nil)
	}
	if problem, err := s.checkUpload(ctx, f); err != nil {
		return nil, nil, err
	} else if problem != nil {
		msg := problem.Message
		if err := s.store.SetUploadStatus(ctx, owner, f.ID, phonoglyph.UploadFailed, &msg); err != nil {
			return nil, nil, err
		}
		if err := s.blobs.Delete(ctx, f.Key); err != nil {
			s.log.WarnContext(ctx, "delete rejected upload", "key", f.Key, "error", err)
		}
		return nil, nil, problem
	}
	var queued []*phonoglyph.Job
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		locked, err := tx.FileForUpdate(ctx, owner, f.ID)
		if err != nil {
			return err
		}
		if locked.UploadStatus != phonoglyph.UploadUploading { // a concurrent completion won
			f = locked
			return nil
		}
		if err := tx.SetUploadStatus(ctx, owner, f.ID, phonoglyph.UploadCompleted, nil); err != nil {
			return err
		}
		if f, err = tx.FileByID(ctx, owner, f.ID); err != nil {
			return err
		}
		job, err := s.jobs.ProcessFile(ctx, tx, f)
		if job != nil {
			queued = append(queued, job)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return s.withProcessingJob(ctx, f, queued)
}

// checkUpload returns the problem that makes an uploaded object unacceptable
// (as a user-facing error), nil when it is fine, or err when the check itself
// could not run.
func (s *Service) checkUpload(ctx context.Context, f *phonoglyph.File) (problem *phonoglyph.Error, err error) {
	info, err := s.blobs.Head(ctx, f.Key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "No bytes were uploaded yet: PUT the file to the upload URL first.")
	} else if err != nil {
		return nil, err
	}
	if info.Size != f.FileSize {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Uploaded size %d bytes does not match the declared %d bytes.", info.Size, f.FileSize), nil
	}
	head, err := s.blobs.ReadHead(ctx, f.Key, filetype.SniffLen)
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

// withProcessingJob answers a completed file with its processing jobs: the
// ones just queued or, for a repeated completion, the latest one.
func (s *Service) withProcessingJob(ctx context.Context, f *phonoglyph.File, queued []*phonoglyph.Job) (*phonoglyph.File, []*phonoglyph.Job, error) {
	if len(queued) > 0 {
		return f, queued, nil
	}
	var (
		job *phonoglyph.Job
		err error
	)
	switch f.FileType {
	case phonoglyph.FileAudio:
		var j *phonoglyph.AnalysisJob
		if j, err = s.store.LatestAnalysisJob(ctx, f.UserID, f.ID, f.AnalysisStem()); err == nil {
			job = &j.Job
		}
	case phonoglyph.FileMIDI:
		var m *phonoglyph.MIDIFile
		if m, err = s.store.MIDIFile(ctx, f.UserID, f.ID); err == nil {
			job, err = s.store.Job(ctx, f.UserID, m.ID)
		}
	}
	switch {
	case phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND:
		return f, nil, nil
	case err != nil:
		return nil, nil, err
	case job == nil: // a kind without processing
		return f, nil, nil
	}
	return f, []*phonoglyph.Job{job}, nil
}

// RequestAnalysis enqueues an analysis of the caller's file, or returns the
// one already queued or running.
func (s *Service) RequestAnalysis(ctx context.Context, owner, fileID string) (*phonoglyph.Job, error) {
	var job *phonoglyph.Job
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		f, err := tx.FileForUpdate(ctx, owner, fileID)
		if err != nil {
			return err
		}
		job, err = s.jobs.RequestAnalysis(ctx, tx, f)
		return err
	})
	return job, err
}

// DeleteFile deletes the caller's file with everything derived from it:
// rows now, objects by a cleanup job committed with the deletion.
func (s *Service) DeleteFile(ctx context.Context, owner, fileID string) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error { return s.jobs.DeleteFile(ctx, tx, owner, fileID) })
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package workflow

import (
	"context"
	"errors"

	"phonoglyph"
	"phonoglyph/filetype"
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// CompleteUpload seals an upload and checks it against its declaration
// (size, magic bytes): the object is first copied to a key no URL was ever
// signed for (objectkey.Sealed), the copy is what is checked, and the file
// row is switched to it as it is marked completed, so a PUT racing or
// following the completion can never change the bytes that are checked,
// hashed and analysed. In the same transaction it enqueues what a
// completed file of its kind needs (jobs.ProcessFile). A file failing the
// check is marked failed and its objects removed; the problem is returned as
// the error. Completing twice is harmless: the second completion answers
// the file's latest processing job.
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
	uploadKey := f.Key
	sealed, problem, err := s.seal(ctx, f)
	if err != nil {
		return nil, nil, err
	} else if problem != nil {
		if err := s.reject(ctx, f, problem.Message); err != nil {
			return nil, nil, err
		}
		return nil, nil, problem
	}
	var queued []*phonoglyph.Job
	won := false
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		queued = nil // InTx may run this again
		var err error
		if f, won, err = tx.SealUpload(ctx, owner, fileID, sealed); err != nil || !won {
			return err // not won: a concurrent completion did, and f is the file it completed
		}
		job, err := s.jobs.ProcessFile(ctx, tx, f)
		if job != nil {
			queued = append(queued, job)
		}
		return err
	})
	if err != nil {
		// The commit may have landed all the same (a connection lost during
		// COMMIT reports an error): the row may name our copy, so it stays,
		// and the sweep frees it if no row does.
		return nil, nil, err
	}
	if !won { // a concurrent completion's copy is the one named
		s.deleteQuietly(ctx, "delete unused sealed copy", sealed)
	}
	// The upload key is named by no row now: a late PUT to it writes an
	// orphan the sweep frees.
	s.deleteQuietly(ctx, "delete sealed upload's original", uploadKey)
	return s.withProcessingJob(ctx, f, queued)
}

// reject fails an upload whose sealed copy failed its check and deletes
// its object, unless a concurrent completion of the same file (which
// checked its own copy) completed it meanwhile.
func (s *Service) reject(ctx context.Context, f *phonoglyph.File, msg string) error {
	failed := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		failed = false // InTx may run this again
		locked, err := tx.FileForUpdate(ctx, f.UserID, f.ID)
		if err != nil || locked.UploadStatus != phonoglyph.UploadUploading {
			return err
		}
		failed = true
		return tx.SetUploadStatus(ctx, f.UserID, f.ID, phonoglyph.UploadFailed, &msg)
	})
	if err == nil && failed {
		s.deleteQuietly(ctx, "delete rejected upload", f.Key)
	}
	return err
}

// seal copies the upload to a new sealed key and checks the copy. It
// returns the sealed key, or the problem that makes the upload
// unacceptable (as a user-facing error, with the copy removed), or err
// when sealing itself could not run.
func (s *Service) seal(ctx context.Context, f *phonoglyph.File) (sealed string, problem *phonoglyph.Error, err error) {
	sealed = objectkey.Sealed(f.Key)
	info, err := storage.Seal(ctx, s.blobs, f.Key, sealed)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "No bytes were uploaded yet: PUT the file to the upload URL first.")
	} else if err != nil {
		return "", nil, err
	}
	problem, err = s.checkUpload(ctx, f, sealed, info)
	if problem != nil || err != nil {
		s.deleteQuietly(ctx, "delete sealed copy", sealed)
		return "", problem, err
	}
	return sealed, nil, nil
}

// deleteQuietly removes an object nothing names any more, logging a
// failure: the sweep frees what is left.
func (s *Service) deleteQuietly(ctx context.Context, what, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.WarnContext(ctx, what, "key", key, "error", err)
	}
}

// checkUpload returns the problem that makes the object under key, f's
// sealed upload described by info, unacceptable (as a user-facing error),
// nil when it is fine, or err when the check itself could not run.
func (s *Service) checkUpload(ctx context.Context, f *phonoglyph.File, key string, info storage.Info) (problem *phonoglyph.Error, err error) {
	if info.Size != f.FileSize {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Uploaded size %d bytes does not match the declared %d bytes.", info.Size, f.FileSize), nil
	}
	head, err := s.blobs.ReadHead(ctx, key, filetype.SniffLen)
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

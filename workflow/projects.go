package workflow

import (
	"context"
	"time"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/store"
)

// maxDuplicateFiles bounds the files one duplicate copies.
const maxDuplicateFiles = 100

// Duplicate is a new copy of a project, with its files and the jobs queued
// for them.
type Duplicate struct {
	Project *phonoglyph.Project
	Files   []*phonoglyph.File
	Jobs    []*phonoglyph.Job
}

// DuplicateProject copies a project's settings under name (default
// "<name> (copy)") and, with includeFiles, its uploaded files. Files are
// copied — new objects, new rows, and what every completed file gets
// (jobs.ProcessFile: analysis for audio, parsing for MIDI) — rather than
// shared, so deleting either project never breaks the other. The primary
// MIDI file points at its copy. The copies count against the caller's
// storage quota and their analyses against the live-analysis quota.
func (s *Service) DuplicateProject(ctx context.Context, owner, projectID string, name *string, includeFiles bool) (*Duplicate, error) {
	src, err := s.store.Project(ctx, owner, projectID)
	if err != nil {
		return nil, err
	}
	dup := *src
	dup.ID = phonoglyph.NewProjectID(time.Now())
	dup.PrimaryMIDIFileID = nil // points into the source project; re-pointed below when copied
	newName := src.Name + " (copy)"
	if name != nil {
		newName = *name
	}
	if dup.Name, err = phonoglyph.CleanProjectName(newName); err != nil {
		return nil, err
	}
	var files []*phonoglyph.File
	if includeFiles {
		if files, err = s.store.ProjectSourceFiles(ctx, owner, src.ID, maxDuplicateFiles+1); err != nil {
			return nil, err
		}
		if len(files) > maxDuplicateFiles {
			return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "include_files: a project with more than %d files cannot be duplicated with its files.", maxDuplicateFiles)
		}
	}
	var size int64
	for _, f := range files {
		size += f.FileSize
	}
	// A first check before copying any object; the binding one is in the
	// transaction below.
	if err := s.store.InTx(ctx, func(tx *store.Tx) error { return s.checkStorage(ctx, tx, owner, size, nil, 0) }); err != nil {
		return nil, err
	}
	copies, err := s.copyFiles(ctx, files, dup.ID)
	if err != nil {
		return nil, err
	}
	out := &Duplicate{Project: &dup, Files: copies}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockUserQuota(ctx, owner); err != nil {
			return err
		}
		if err := s.checkStorage(ctx, tx, owner, size, &dup.ID, len(copies)); err != nil {
			return err
		}
		if err := tx.CreateProject(ctx, &dup); err != nil {
			return err
		}
		for i, f := range copies {
			if err := tx.CreateFile(ctx, f); err != nil {
				return err
			}
			if src.PrimaryMIDIFileID != nil && files[i].ID == *src.PrimaryMIDIFileID {
				dup.PrimaryMIDIFileID = &f.ID
			}
			job, err := s.jobs.ProcessFile(ctx, tx, f)
			if err != nil {
				return err
			} else if job != nil {
				out.Jobs = append(out.Jobs, job)
			}
		}
		if err := s.checkLive(ctx, tx, store.AnalysisJobs, owner); err != nil {
			return err
		}
		if dup.PrimaryMIDIFileID != nil {
			return tx.UpdateProject(ctx, &dup)
		}
		return nil
	})
	if err != nil {
		s.deleteObjects(ctx, copies)
		return nil, err
	}
	return out, nil
}

// copyFiles copies the objects of files into new keys and returns the rows
// to insert for them in project projectID.
func (s *Service) copyFiles(ctx context.Context, files []*phonoglyph.File, projectID string) ([]*phonoglyph.File, error) {
	copies := make([]*phonoglyph.File, 0, len(files))
	for _, f := range files {
		cp := *f
		cp.ID, cp.ProjectID = uuid.NewString(), &projectID
		cp.Key = objectkey.Upload(f.FileType, f.UserID, f.FileName, time.Now())
		if err := s.copyObject(ctx, f.Key, cp.Key); err != nil {
			s.deleteObjects(ctx, copies)
			return nil, err
		}
		copies = append(copies, &cp)
	}
	return copies, nil
}

func (s *Service) copyObject(ctx context.Context, from, to string) error {
	rc, info, err := s.blobs.Open(ctx, from)
	if err != nil {
		return err
	}
	defer rc.Close()
	return s.blobs.Put(ctx, to, rc, info.Size, info.ContentType)
}

// deleteObjects removes the objects of copies whose rows never committed.
func (s *Service) deleteObjects(ctx context.Context, copies []*phonoglyph.File) {
	for _, f := range copies {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), f.Key); err != nil {
			s.log.WarnContext(ctx, "delete uncommitted copy", "key", f.Key, "error", err)
		}
	}
}

// DeleteProject deletes the caller's project with all its files, the same
// way as DeleteFile.
func (s *Service) DeleteProject(ctx context.Context, owner, projectID string) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error { return s.jobs.DeleteProject(ctx, tx, owner, projectID) })
}

package workflow

import (
	"context"

	"phonoglyph"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// RequestAnalysis enqueues an analysis of the caller's file, or returns the
// one already queued or running. A file already analysed (at the current
// analysis version) gets its finished job back, with again false, unless
// reason says why it should run again; the reason is logged with the
// request. Live analyses count against Quotas.LiveAnalyses.
func (s *Service) RequestAnalysis(ctx context.Context, owner, fileID, reason string) (job *phonoglyph.Job, again bool, err error) {
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockUserQuota(ctx, owner); err != nil {
			return err
		}
		f, err := tx.FileForUpdate(ctx, owner, fileID)
		if err != nil {
			return err
		}
		if reason == "" {
			if done, err := s.finishedAnalysis(ctx, tx, f); err != nil || done != nil {
				job = done
				return err
			}
		}
		if job, err = s.jobs.RequestAnalysis(ctx, tx, f); err != nil {
			return err
		}
		again = true
		return s.checkLive(ctx, tx, store.AnalysisJobs, owner)
	})
	if err == nil && reason != "" {
		s.log.InfoContext(ctx, "analysis requested again", "user_id", owner, "file_id", fileID, "job_id", job.ID, "reason", reason)
	}
	return job, again, err
}

// finishedAnalysis returns the completed job of f's analysis when its
// result is stored, nil otherwise.
func (s *Service) finishedAnalysis(ctx context.Context, tx *store.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	if f.FileType != phonoglyph.FileAudio || f.UploadStatus != phonoglyph.UploadCompleted {
		return nil, nil // jobs.RequestAnalysis explains why not
	}
	_, err := tx.Analysis(ctx, f.UserID, f.ID, f.AnalysisStem(), jobs.AnalysisVersion)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	j, err := tx.LatestAnalysisJob(ctx, f.UserID, f.ID, f.AnalysisStem())
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND || (err == nil && j.Status != phonoglyph.StatusCompleted) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &j.Job, nil
}

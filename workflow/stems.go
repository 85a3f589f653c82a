package workflow

import (
	"context"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/store"
)

// RequestStems enqueues a separation of the caller's audio file with cfg
// (normalised by the caller), or returns the live one for the same file
// and config. Live separations count against Quotas.LiveStemJobs.
func (s *Service) RequestStems(ctx context.Context, owner, fileID string, cfg phonoglyph.StemConfig) (*phonoglyph.StemJob, error) {
	var job *phonoglyph.StemJob
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockUserQuota(ctx, owner); err != nil {
			return err
		}
		f, err := tx.FileForUpdate(ctx, owner, fileID)
		if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "file_id: must be the id of one of your audio files.")
		} else if err != nil {
			return err
		}
		if job, err = s.jobs.RequestStems(ctx, tx, f, cfg); err != nil {
			return err
		}
		return s.checkLive(ctx, tx, store.StemJobs, owner)
	})
	return job, err
}

// CancelStemJob cancels a queued or running separation: its row and River
// job in one transaction with the deletion of the stems already written,
// then, once committed, the RunPod job.
func (s *Service) CancelStemJob(ctx context.Context, owner, id string) (*phonoglyph.StemJob, error) {
	var j *phonoglyph.StemJob
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if j, err = tx.StemJobForUpdate(ctx, owner, id); err != nil {
			return err
		}
		if j.Finished() {
			return phonoglyph.Errorf(phonoglyph.ECONFLICT, "The separation already ended (%s).", j.Status)
		}
		if err := s.jobs.Cancel(ctx, tx, store.StemJobs, j.ID); err != nil {
			return err
		}
		return s.jobs.RequestCleanup(ctx, tx, objectkey.Stems(j))
	})
	if err != nil {
		return nil, err
	}
	s.jobs.CancelAtRunPod(ctx, j)
	j.Status = phonoglyph.StatusCancelled
	return j, nil
}

package workflow

import (
	"context"
	"fmt"

	"phonoglyph"
	"phonoglyph/store"
)

// Quotas bound what one user may hold and run at once, so one account
// cannot fill the disk or the queues of the machine. Every check runs in the
// transaction that inserts, after the user's quota lock
// (store.LockUserQuota), so concurrent requests cannot overshoot.
type Quotas struct {
	StorageBytes    int64 // bytes of uploading and uploaded files
	FilesPerProject int
	LiveAnalyses    int // queued or processing, per user
	LiveStemJobs    int
	LiveRenders     int
}

// DefaultQuotas are the original product's free tier (100 MB, 10 files per
// project; 50 MB per file is the upload limit of filetype) with live-job
// limits that keep one user from occupying a machine's workers.
func DefaultQuotas() Quotas {
	return Quotas{StorageBytes: 100 << 20, FilesPerProject: 10, LiveAnalyses: 20, LiveStemJobs: 3, LiveRenders: 2}
}

// SetQuotas replaces the quotas (DefaultQuotas until called).
func (s *Service) SetQuotas(q Quotas) { s.quotas = q }

// checkStorage refuses adding bytes (in files more files to projectID, when
// set) beyond the user's quotas. The caller holds the quota lock.
func (s *Service) checkStorage(ctx context.Context, tx *store.Tx, owner string, bytes int64, projectID *string, files int) error {
	used, err := tx.StoredBytes(ctx, owner)
	if err != nil {
		return err
	}
	if used+bytes > s.quotas.StorageBytes {
		return phonoglyph.Errorf(phonoglyph.EQUOTA, "Storage quota exceeded: %s used of %s, this needs %s more. Delete files to free space.",
			mb(used), mb(s.quotas.StorageBytes), mb(bytes))
	}
	if projectID == nil {
		return nil
	}
	n, err := tx.ProjectFileCount(ctx, owner, *projectID)
	if err != nil {
		return err
	}
	if n+files > s.quotas.FilesPerProject {
		return phonoglyph.Errorf(phonoglyph.EQUOTA, "project_id: a project holds at most %d files (it has %d).", s.quotas.FilesPerProject, n)
	}
	return nil
}

// checkLive refuses a transaction that leaves the user with more live jobs
// of a kind than allowed. It runs after the insert, so a request answered
// with an existing live job is never refused. The caller holds the quota
// lock.
func (s *Service) checkLive(ctx context.Context, tx *store.Tx, t store.JobTable, owner string) error {
	limit, what := s.quotas.LiveAnalyses, "analyses"
	switch t {
	case store.StemJobs:
		limit, what = s.quotas.LiveStemJobs, "stem separations"
	case store.Renders:
		limit, what = s.quotas.LiveRenders, "renders"
	}
	n, err := tx.LiveJobCount(ctx, t, owner)
	if err != nil {
		return err
	}
	if n > limit {
		return phonoglyph.Errorf(phonoglyph.EQUOTA, "At most %d %s may be queued or running at once: wait for one to finish or cancel one.", limit, what)
	}
	return nil
}

// mb renders a byte count in MB for a person.
func mb(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

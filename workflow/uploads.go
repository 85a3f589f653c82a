package workflow

import (
	"context"

	"phonoglyph"
	"phonoglyph/store"
)

// DeclareUpload records a declared upload (f, validated by the caller) as
// uploading, after checking that its project is the caller's and that its
// declared size and the project's file count fit the caller's quotas: a
// declaration counts while its bytes are on their way.
func (s *Service) DeclareUpload(ctx context.Context, f *phonoglyph.File) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockUserQuota(ctx, f.UserID); err != nil {
			return err
		}
		if f.ProjectID != nil {
			if _, err := tx.Project(ctx, f.UserID, *f.ProjectID); phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
				return phonoglyph.Errorf(phonoglyph.EINVALID, "project_id: no such project.")
			} else if err != nil {
				return err
			}
		}
		if err := s.checkStorage(ctx, tx, f.UserID, f.FileSize, f.ProjectID, 1); err != nil {
			return err
		}
		return tx.CreateFile(ctx, f)
	})
}

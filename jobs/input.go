package jobs

import (
	"context"
	"errors"
	"io"

	"phonoglyph/storage"
)

// missingInput is the failure of a job whose input file has no stored
// object.
const missingInput = "The file's stored bytes are missing, so it cannot be processed: upload it again."

// openInput opens the stored object of a file the job reads. A missing
// object fails the job for good: the object of a completed file is never
// written again, so no retry can find it (the file was deleted meanwhile,
// or the storage lost it).
func (d *Deps) openInput(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	rc, info, err := d.Blobs.Open(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, info, Fail(missingInput)
	}
	return rc, info, err
}

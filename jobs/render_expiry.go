package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
)

// RenderExpiryArgs start one removal of expired render outputs.
type RenderExpiryArgs struct{}

// Kind implements river.JobArgs.
func (RenderExpiryArgs) Kind() string { return string(phonoglyph.KindRenderExpiry) }

// InsertOpts runs expiries on the maintenance queue, once per period.
func (RenderExpiryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
}

// renderExpiryWorker deletes the output files of renders past expires_at
// through the file-delete path (row, then objects by a cleanup job).
type renderExpiryWorker struct {
	river.WorkerDefaults[RenderExpiryArgs]
	client *Client
}

// Work deletes expired outputs in batches.
func (w *renderExpiryWorker) Work(ctx context.Context, job *river.Job[RenderExpiryArgs]) error {
	db := w.client.deps.Store
	for {
		ids, owners, err := db.ExpiredRenderOutputs(ctx, time.Now(), sweepBatch)
		if err != nil || len(ids) == 0 {
			return err
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, id := range ids {
				err := w.client.DeleteFile(ctx, tx, owners[i], id)
				if err != nil && phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
					return err
				}
			}
			return nil
		})
		if err != nil || len(ids) < sweepBatch {
			return err
		}
	}
}

package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
)

// RenderExpiryArgs start one removal of expired render outputs.
type RenderExpiryArgs struct{}

// Kind implements river.JobArgs.
func (RenderExpiryArgs) Kind() string { return phonoglyph.KindRenderExpiry }

// InsertOpts runs expiries on the maintenance queue, once per period.
func (RenderExpiryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
}

// RenderExpiryJob is the periodic removal of expired render outputs.
func RenderExpiryJob(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return RenderExpiryArgs{}, nil },
		&river.PeriodicJobOpts{ID: phonoglyph.KindRenderExpiry, RunOnStart: true})
}

// RenderExpiryWorker deletes the output files of renders past expires_at
// through the file-delete path (row, then objects by a cleanup job).
type RenderExpiryWorker struct {
	river.WorkerDefaults[RenderExpiryArgs]
	deps Deps
}

// Work deletes expired outputs in batches.
func (w *RenderExpiryWorker) Work(ctx context.Context, job *river.Job[RenderExpiryArgs]) error {
	for {
		ids, owners, err := w.deps.Store.ExpiredRenderOutputs(ctx, time.Now(), sweepBatch)
		if err != nil || len(ids) == 0 {
			return err
		}
		err = w.deps.Store.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
			var keys []string
			for i, id := range ids {
				k, err := q.DeleteFile(ctx, owners[i], id)
				if err != nil && phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
					return err
				}
				keys = append(keys, k...)
			}
			client := workClient(ctx)
			return client.RequestCleanup(ctx, tx, keys)
		})
		if err != nil || len(ids) < sweepBatch {
			return err
		}
	}
}

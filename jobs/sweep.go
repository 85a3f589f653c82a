package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// defaultUploadGrace is the sweep cutoff when Deps leaves it unset: the
// default upload URL lifetime plus a margin.
const defaultUploadGrace = 75 * time.Minute

// sweepBatch bounds the rows or keys handled per statement.
const sweepBatch = 500

// SweepArgs start one sweep of abandoned uploads.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return string(phonoglyph.KindUploadSweep) }

// InsertOpts runs sweeps on the maintenance queue, one per period however
// many leaders enqueue it.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 5 * time.Minute}}
}

// sweepWorker deletes what an abandoned upload leaves behind: rows still
// uploading after their URL expired, and objects under the upload prefixes
// (objectkey.UploadPrefixes) that no row names — an upload whose row was
// swept or never committed. It also lists every derived prefix
// (objectkey.DerivedPrefixes) for objects no row refers to and no live job
// is writing: what a job wrote for a row deleted while it ran.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	client *Client
}

// Work sweeps rows, then objects.
func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	deps := &w.client.deps
	grace := deps.UploadGrace
	if grace <= 0 {
		grace = defaultUploadGrace
	}
	cutoff := time.Now().Add(-grace)
	for {
		var keys []string
		err := deps.Store.InTx(ctx, func(tx *store.Tx) error {
			var err error
			keys, err = tx.DeleteAbandonedUploads(ctx, cutoff, sweepBatch)
			return err
		})
		if err != nil {
			return fmt.Errorf("sweep rows: %w", err)
		}
		if err := deleteKeys(ctx, deps.Blobs, keys); err != nil {
			return err
		}
		if len(keys) < sweepBatch {
			break
		}
	}
	lister, ok := deps.Blobs.(storage.Lister)
	if !ok {
		return nil
	}
	for _, prefix := range objectkey.UploadPrefixes() {
		if err := w.sweepObjects(ctx, lister, prefix, cutoff, deps.Store.UnknownKeys); err != nil {
			return err
		}
	}
	for _, prefix := range objectkey.DerivedPrefixes() {
		if err := w.sweepObjects(ctx, lister, prefix, cutoff, unreferencedDerived(deps.Store.Queries)); err != nil {
			return err
		}
	}
	return nil
}

// unreferencedDerived picks, among derived keys, those nothing refers to,
// as q (the pool, or a transaction) sees the rows.
func unreferencedDerived(q *store.Queries) func(context.Context, []string) ([]string, error) {
	return func(ctx context.Context, keys []string) ([]string, error) {
		writers := make([]string, len(keys))
		for i, k := range keys {
			writers[i], _ = objectkey.Writer(k) // "" for a key of no known shape: nothing live writes it
		}
		return q.UnreferencedDerived(ctx, keys, writers)
	}
}

// sweepObjects deletes objects under prefix older than cutoff that unknown
// picks (no row names them), checking the database a batch of keys at a
// time.
func (w *sweepWorker) sweepObjects(ctx context.Context, lister storage.Lister, prefix string, cutoff time.Time,
	unknown func(context.Context, []string) ([]string, error)) error {
	var batch []string
	flush := func() error {
		unknown, err := unknown(ctx, batch)
		if err != nil {
			return err
		}
		batch = batch[:0]
		return deleteKeys(ctx, w.client.deps.Blobs, unknown)
	}
	err := lister.ListOlder(ctx, prefix, cutoff, func(info storage.Info) error {
		batch = append(batch, info.Key)
		if len(batch) == sweepBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("sweep %s/: %w", prefix, err)
	}
	return nil
}

func deleteKeys(ctx context.Context, blobs storage.Blobs, keys []string) error {
	for _, k := range keys {
		if err := blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete %s: %w", k, err)
		}
	}
	return nil
}

package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"phonoglyph"
)

// cleanupBatch bounds the keys one cleanup job carries, keeping River's
// args small however many objects a delete frees.
const cleanupBatch = 500

// CleanupArgs name storage objects whose rows are gone. The job is inserted
// in the transaction that deletes the rows, so an object is never orphaned
// by a crash between the two.
type CleanupArgs struct {
	Keys []string `json:"keys"`
}

// Kind implements river.JobArgs.
func (CleanupArgs) Kind() string { return phonoglyph.KindBlobCleanup }

// InsertOpts puts cleanups on the maintenance queue.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.QueueMaintenance, MaxAttempts: 10}
}

// RequestCleanup enqueues the deletion of keys in tx.
func (c *Client) RequestCleanup(ctx context.Context, tx pgx.Tx, keys []string) error {
	var params []river.InsertManyParams
	for start := 0; start < len(keys); start += cleanupBatch {
		end := min(start+cleanupBatch, len(keys))
		params = append(params, river.InsertManyParams{Args: CleanupArgs{Keys: keys[start:end]}})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := c.River.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue cleanup: %w", err)
	}
	return nil
}

// CleanupWorker deletes objects; deleting a missing object succeeds, so a
// retried job is harmless.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	deps Deps
}

// Work deletes every key of the job.
func (w *CleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	return deleteKeys(ctx, w.deps.Blobs, job.Args.Keys)
}

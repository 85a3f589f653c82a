package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
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
func (CleanupArgs) Kind() string { return string(phonoglyph.KindBlobCleanup) }

// InsertOpts puts cleanups on the maintenance queue.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.QueueMaintenance, MaxAttempts: 10}
}

// RequestCleanup enqueues the deletion of keys in tx, the transaction that
// deletes (or never commits) the rows naming them.
func (c *Client) RequestCleanup(ctx context.Context, tx *store.Tx, keys []string) error {
	var params []river.InsertManyParams
	for start := 0; start < len(keys); start += cleanupBatch {
		end := min(start+cleanupBatch, len(keys))
		params = append(params, river.InsertManyParams{Args: CleanupArgs{Keys: keys[start:end]}})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := c.river.InsertManyTx(ctx, tx.PGX(), params); err != nil {
		return fmt.Errorf("enqueue cleanup: %w", err)
	}
	return nil
}

// cleanupWorker deletes objects; deleting a missing object succeeds, so a
// retried job is harmless.
type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	client *Client
}

// Work deletes every key of the job.
func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	return deleteKeys(ctx, w.client.deps.Blobs, job.Args.Keys)
}

// DeleteFile deletes the caller's file row in tx — and by cascade its
// derived rows (stems, analyses, jobs) — and enqueues, in the same
// transaction, the deletion of the objects of the file and of every file
// derived from it: no object outlives its row.
func (c *Client) DeleteFile(ctx context.Context, tx *store.Tx, userID, id string) error {
	keys, err := tx.DeleteFile(ctx, userID, id)
	if err != nil {
		return err
	}
	return c.RequestCleanup(ctx, tx, keys)
}

// DeleteProject deletes the caller's project with its files in tx, freeing
// their objects the same way as DeleteFile.
func (c *Client) DeleteProject(ctx context.Context, tx *store.Tx, userID, id string) error {
	keys, err := tx.DeleteProject(ctx, userID, id)
	if err != nil {
		return err
	}
	return c.RequestCleanup(ctx, tx, keys)
}

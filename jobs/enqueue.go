package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
)

// Enqueue inserts the River job of a row just inserted in tx into t, and
// links the two, so the row and its job commit or roll back together: no
// job without a row, no row without a job. opts may be nil (the args'
// InsertOpts apply).
func (c *Client) Enqueue(ctx context.Context, tx *store.Tx, t store.JobTable, args Args, opts *river.InsertOpts) error {
	res, err := c.river.InsertTx(ctx, tx.PGX(), args, opts)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return tx.LinkRiverJob(ctx, t, args.RowID(), res.Job.ID)
}

// ProcessFile enqueues in tx what a new completed file of f's kind needs:
// analysis for audio, parsing for MIDI, nothing (nil) for other kinds. It
// is what follows every completed upload, every copied file and every stem,
// so no path forgets a kind.
func (c *Client) ProcessFile(ctx context.Context, tx *store.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	switch f.FileType {
	case phonoglyph.FileAudio:
		return c.RequestAnalysis(ctx, tx, f)
	case phonoglyph.FileMIDI:
		return c.RequestMIDIParse(ctx, tx, f)
	}
	return nil, nil
}

// Cancel cancels a live job of table t in tx: its row ends cancelled and its
// River job is cancelled (a running one sees its context end). The caller
// holds the row's lock and checked that the job has not ended.
func (c *Client) Cancel(ctx context.Context, tx *store.Tx, t store.JobTable, id string) error {
	if err := tx.FinishJob(ctx, t, id, phonoglyph.StatusCancelled, nil); err != nil {
		return err
	}
	riverID, err := tx.RiverJobID(ctx, t, id)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	_, err = c.river.JobCancelTx(ctx, tx.PGX(), riverID)
	return err
}

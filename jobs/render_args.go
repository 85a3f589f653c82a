package jobs

import (
	"context"
	"fmt"
	"path"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/store"
)

// RenderArgs are the River arguments of a render; the request lives on the
// renders row.
type RenderArgs struct {
	RenderID string `json:"render_id"`
	UserID   string `json:"user_id"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return phonoglyph.KindRender }

// InsertOpts puts renders on their own queue; polling Lambda snoozes.
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: phonoglyph.KindRender, MaxAttempts: 8}
}

// RequestRender records a render (validated by the caller) and enqueues it
// in tx.
func (c *Client) RequestRender(ctx context.Context, tx pgx.Tx, r *phonoglyph.Render) error {
	q := store.WithTx(tx)
	if err := q.CreateRender(ctx, r); err != nil {
		return err
	}
	res, err := c.River.InsertTx(ctx, tx, RenderArgs{RenderID: r.ID, UserID: r.UserID}, nil)
	if err != nil {
		return fmt.Errorf("enqueue render: %w", err)
	}
	return q.SetRenderRiverID(ctx, r.ID, res.Job.ID)
}

// renderKey is where a render's MP4 is stored, under its owner.
func renderKey(userID, renderID string) string {
	return path.Join("renders", userID, renderID+".mp4")
}

// renderAnalysisKey is where the analysis JSON a render reads is stored.
func renderAnalysisKey(userID, renderID string) string {
	return path.Join("analysis", userID, "renders", renderID+".json")
}

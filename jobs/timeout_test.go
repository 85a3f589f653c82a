package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// deadlineArgs name a job that records how long its attempt may take.
type deadlineArgs struct {
	JobID string `json:"job_id"`
}

func (deadlineArgs) Kind() string                 { return "deadline" }
func (a deadlineArgs) RowID() string              { return a.JobID }
func (deadlineArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: "deadline"} }

// Config.Timeouts (JOB_TIMEOUTS) replaces a kind's own attempt timeout: the
// work's context ends when the configured time is up, not the kind's.
func TestConfiguredTimeoutReplacesTheKinds(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	table, err := createJobTable(ctx, pool, "deadline_jobs", "")
	if err != nil {
		t.Fatal(err)
	}
	left := make(chan time.Duration, 1)
	kind := jobs.Kind[deadlineArgs]{Table: table, Timeout: time.Hour, Work: func(ctx context.Context, run *jobs.Run, _ deadlineArgs) error {
		deadline, ok := ctx.Deadline()
		if !ok {
			t.Error("the attempt has no deadline")
		}
		left <- time.Until(deadline)
		return run.Complete(ctx, nil)
	}}
	w, err := jobs.New(pool, discard(), jobs.Deps{Store: st}, jobs.Config{Queues: map[string]int{"deadline": 1},
		Kinds: []jobs.AnyKind{kind}, Timeouts: map[string]time.Duration{"deadline": 3 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PGX().Exec(ctx, `INSERT INTO deadline_jobs (id, user_id) VALUES ($1, $2)`, id, uuid.NewString()); err != nil {
			return err
		}
		return w.Enqueue(ctx, tx, table, deadlineArgs{JobID: id}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop(ctx, 5*time.Second)
	select {
	case d := <-left:
		if d > 3*time.Minute || d < 2*time.Minute {
			t.Errorf("attempt may take %s more, want the configured 3m (the kind's own is 1h)", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the job did not run")
	}
	eventually.True(t, 10*time.Second, "the job completes", func() bool {
		var status string
		return pool.QueryRow(ctx, `SELECT status FROM deadline_jobs WHERE id = $1`, id).Scan(&status) == nil && status == "completed"
	})
}

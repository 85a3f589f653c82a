package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// fanoutArgs name a job that creates a MIDI file as its result.
type fanoutArgs struct {
	JobID string `json:"job_id"`
}

func (fanoutArgs) Kind() string                 { return "fanout" }
func (a fanoutArgs) RowID() string              { return a.JobID }
func (fanoutArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: "fanout"} }

// A follow-up job a worker enqueues goes where the process's configuration
// says: the worker enqueues with the client it was built with (the MIDI
// queue included), not a client rebuilt from River's context.
func TestFollowUpJobsUseTheWorkersConfiguration(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	table, err := createJobTable(ctx, pool, "fanout_jobs", "")
	if err != nil {
		t.Fatal(err)
	}
	owner := uuid.NewString()
	fanout := jobs.Kind[fanoutArgs]{Table: table, Work: func(ctx context.Context, run *jobs.Run, _ fanoutArgs) error {
		return run.Complete(ctx, func(tx *store.Tx) error {
			f := &phonoglyph.File{ID: uuid.NewString(), UserID: owner, FileName: "tune.mid", FileType: phonoglyph.FileMIDI,
				MimeType: "audio/midi", FileSize: 20, Key: "midi/" + owner + "/tune.mid", UploadStatus: phonoglyph.UploadCompleted}
			if err := tx.CreateFile(ctx, f); err != nil {
				return err
			}
			_, err := run.Client().ProcessFile(ctx, tx, f)
			return err
		})
	}}
	w, err := jobs.New(pool, discard(), jobs.Deps{Store: st},
		jobs.Config{Queues: map[string]int{"fanout": 1}, MIDIQueue: phonoglyph.QueueMaintenance, Kinds: []jobs.AnyKind{fanout}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PGX().Exec(ctx, `INSERT INTO fanout_jobs (id, user_id) VALUES ($1, $2)`, id, owner); err != nil {
			return err
		}
		return w.Enqueue(ctx, tx, table, fanoutArgs{JobID: id}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop(ctx, 5*time.Second)
	var queue string
	eventually.True(t, 15*time.Second, "the follow-up MIDI parse is enqueued", func() bool {
		return pool.QueryRow(ctx, `SELECT queue FROM river_job WHERE kind = 'midi_parse'`).Scan(&queue) == nil
	})
	if queue != phonoglyph.QueueMaintenance {
		t.Errorf("follow-up MIDI parse on queue %q, want the configured %q", queue, phonoglyph.QueueMaintenance)
	}
	var status phonoglyph.Status
	if err := pool.QueryRow(ctx, `SELECT status FROM fanout_jobs WHERE id = $1`, id).Scan(&status); err != nil || status != phonoglyph.StatusCompleted {
		t.Errorf("fanout job %s (%v)", status, err)
	}
}

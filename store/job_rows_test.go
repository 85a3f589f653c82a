package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/store"
)

// The lifecycle statements behave the same on every user-facing job table.
func TestJobLifecycleOnEveryTable(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	owner, fileID := uuid.NewString(), uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key, upload_status)
		VALUES ($1, $2, 'a.wav', 'audio', 'audio/wav', 10, 'audio/a.wav', 'completed')`, fileID, owner); err != nil {
		t.Fatal(err)
	}
	// insert adds a queued row to a table.
	insert := map[string]string{
		store.AnalysisJobs.Name: `INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version) VALUES ($1, $2, $3, 'master', 'v')`,
		store.MIDIParses.Name:   `INSERT INTO midi_files (id, user_id, file_metadata_id, file_key, original_filename, file_size) VALUES ($1, $2, $3, 'midi/a.mid', 'a.mid', 10)`,
		store.StemJobs.Name:     `INSERT INTO stem_separation_jobs (id, user_id, file_metadata_id, file_key) VALUES ($1, $2, $3, 'audio/a.wav')`,
		store.Renders.Name:      `INSERT INTO renders (id, user_id) VALUES ($1, $2)`,
	}
	for _, table := range []store.JobTable{store.AnalysisJobs, store.MIDIParses, store.StemJobs, store.Renders} {
		t.Run(table.Name, func(t *testing.T) {
			id := uuid.NewString()
			args := []any{id, owner, fileID}
			if table == store.Renders {
				args = args[:2]
			}
			if _, err := pool.Exec(ctx, insert[table.Name], args...); err != nil {
				t.Fatal(err)
			}
			state := func() (status phonoglyph.Status, progress int, msg *string) {
				t.Helper()
				if err := pool.QueryRow(ctx, `SELECT status, progress, error FROM `+table.Name+` WHERE id = $1`, id).Scan(&status, &progress, &msg); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err := st.SetJobProgress(ctx, table, id, 10); !errors.Is(err, phonoglyph.ErrJobFinished) {
				t.Errorf("progress of a queued job: %v", err)
			}
			if err := st.StartJob(ctx, table, id); err != nil {
				t.Fatal(err)
			}
			for _, pct := range []int{40, 20, 150} { // never backwards, below 100 until completion
				if err := st.SetJobProgress(ctx, table, id, pct); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.StartJob(ctx, table, id); err != nil { // a retried attempt keeps the progress
				t.Fatal(err)
			}
			if status, progress, _ := state(); status != phonoglyph.StatusProcessing || progress != 99 {
				t.Errorf("running: %s at %d %%, want processing at 99", status, progress)
			}
			if table.External != "" {
				if ok, err := st.MarkDispatch(ctx, table, id); err != nil || !ok {
					t.Fatalf("first mark: %v %v", ok, err)
				}
				if ok, _ := st.MarkDispatch(ctx, table, id); ok {
					t.Error("a second dispatch mark was granted")
				}
				if err := st.ClearDispatch(ctx, table, id); err != nil {
					t.Fatal(err)
				}
				if ok, _ := st.MarkDispatch(ctx, table, id); !ok {
					t.Error("no mark after clearing")
				}
				if err := st.SetExternalID(ctx, table, id, "ext-1"); err != nil {
					t.Fatal(err)
				}
				if err := st.ClearDispatch(ctx, table, id); err != nil {
					t.Fatal(err)
				}
				if ok, _ := st.MarkDispatch(ctx, table, id); ok {
					t.Error("the mark of a dispatch with an external id was cleared")
				}
			}
			if err := st.FinishJob(ctx, table, id, phonoglyph.StatusProcessing, nil); err == nil {
				t.Error("finished with a non-terminal status")
			}
			if err := st.FinishJob(ctx, table, id, phonoglyph.StatusCompleted, nil); err != nil {
				t.Fatal(err)
			}
			if status, progress, _ := state(); status != phonoglyph.StatusCompleted || progress != 100 {
				t.Errorf("completed: %s at %d %%", status, progress)
			}
			msg := "too late"
			if err := st.FinishJob(ctx, table, id, phonoglyph.StatusFailed, &msg); !errors.Is(err, phonoglyph.ErrJobFinished) {
				t.Errorf("failing a completed job: %v", err)
			}
			if err := st.StartJob(ctx, table, id); !errors.Is(err, phonoglyph.ErrJobFinished) {
				t.Errorf("starting a completed job: %v", err)
			}
			if status, _, e := state(); status != phonoglyph.StatusCompleted || e != nil {
				t.Errorf("after late moves: %s, error %v", status, e)
			}
			if err := st.LinkRiverJob(ctx, table, id, 42); err != nil {
				t.Fatal(err)
			}
			if riverID, err := st.RiverJobID(ctx, table, id); err != nil || riverID != 42 {
				t.Errorf("river job id %d, %v", riverID, err)
			}
		})
	}
}

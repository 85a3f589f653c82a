package jobs

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/store"
)

// Identical POST /stem-jobs while the first separation completes used to
// deadlock (40P01, answered 500): the API locked the file then waited on the
// stem job's row, the completing worker updated that row then waited on the
// file (the stem files' parent). With one order (file before job row) the
// worker waits at its first statement and neither transaction is run twice.
func TestCompletingAStemJobWhileTheAPIRequestsItAgainDoesNotDeadlock(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	c, err := New(pool, slog.New(slog.DiscardHandler), Deps{Store: st}, Config{Queues: map[string]int{"stem_separation": 1}})
	if err != nil {
		t.Fatal(err)
	}
	owner := uuid.NewString()
	source := &phonoglyph.File{ID: uuid.NewString(), UserID: owner, FileName: "song.wav", FileType: phonoglyph.FileAudio,
		MimeType: "audio/wav", FileSize: 44, Key: "audio/" + owner + "/song.wav", UploadStatus: phonoglyph.UploadCompleted}
	if err := st.CreateFile(ctx, source); err != nil {
		t.Fatal(err)
	}
	job, _, err := st.CreateStemJob(ctx, &phonoglyph.StemJob{Job: phonoglyph.Job{ID: uuid.NewString(), FileID: &source.ID},
		UserID: owner, FileKey: source.Key})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartJob(ctx, store.StemJobs, job.ID); err != nil {
		t.Fatal(err)
	}
	const riverID = 7
	if err := st.BeginAttempt(ctx, riverID, 1, c.beats.worker); err != nil {
		t.Fatal(err)
	}
	run := &Run{client: c, table: store.StemJobs, id: job.ID, riverID: riverID,
		completeRiver: func(context.Context, pgx.Tx) error { return nil }}

	var apiRuns, workerRuns atomic.Int32
	locked, reachedWrite := make(chan struct{}), make(chan struct{})
	apiDone := make(chan error, 1)
	go func() {
		apiDone <- st.InTx(ctx, func(tx *store.Tx) error { // workflow.RequestStems
			apiRuns.Add(1)
			if _, err := tx.FileForUpdate(ctx, owner, source.ID); err != nil {
				return err
			}
			if apiRuns.Load() == 1 {
				close(locked)
			}
			// Wait until the worker is inside its completion: blocked on a
			// lock, or past its job row's update.
			eventually.Until(20*time.Second, func() bool {
				select {
				case <-reachedWrite:
					return true
				default:
				}
				var waiting int
				err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
					WHERE NOT l.granted AND a.datname = current_database()`).Scan(&waiting)
				return err == nil && waiting > 0
			})
			again, created, err := tx.CreateStemJob(ctx, &phonoglyph.StemJob{Job: phonoglyph.Job{ID: uuid.NewString(), FileID: &source.ID},
				UserID: owner, FileKey: source.Key})
			if err == nil && (created || again.ID != job.ID) {
				t.Errorf("the second request created %s (created %v), want the live %s", again.ID, created, job.ID)
			}
			return err
		})
	}()
	<-locked
	stem := phonoglyph.StemVocals
	err = run.Complete(ctx, func(tx *store.Tx) error {
		if workerRuns.Add(1) == 1 {
			close(reachedWrite)
		}
		return tx.CreateFile(ctx, &phonoglyph.File{ID: uuid.NewString(), UserID: owner, ParentFileID: &source.ID,
			FileName: "song (vocals).wav", FileType: phonoglyph.FileAudio, MimeType: "audio/wav", FileSize: 44,
			Key: "stems/" + owner + "/vocals.wav", UploadStatus: phonoglyph.UploadCompleted, StemType: &stem})
	})
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if err := <-apiDone; err != nil {
		t.Fatalf("request again: %v", err)
	}
	if apiRuns.Load() != 1 || workerRuns.Load() != 1 {
		t.Fatalf("transactions run %d (API) and %d (worker) times: a deadlock was retried", apiRuns.Load(), workerRuns.Load())
	}
}

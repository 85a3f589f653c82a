package jobs_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/dsp"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/storage/blobstest"
	"phonoglyph/store"
	"phonoglyph/wavtest"
)

// discard is a logger for tests that read no logs.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fixture struct {
	st    *store.Store
	blobs *blobstest.Gated
	jobID string
	owner string
	log   *slog.Logger
}

// newFixture stores an uploaded WAV and enqueues its analysis.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	local, err := storage.NewLocal(t.TempDir(), "http://localhost/blobs", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	wav := wavtest.Sine(8000, 1, 1, 440, 0.5)
	f := &phonoglyph.File{ID: uuid.NewString(), UserID: uuid.NewString(), FileName: "a.wav", FileType: "audio",
		MimeType: "audio/wav", FileSize: int64(len(wav)), Key: "audio/a.wav", UploadStatus: phonoglyph.UploadCompleted}
	if err := local.Put(ctx, f.Key, bytes.NewReader(wav), f.FileSize, f.MimeType); err != nil {
		t.Fatal(err)
	}
	st := store.New(pool)
	log := discard()
	inserter, err := jobs.New(pool, log, jobs.Deps{}, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var job *phonoglyph.Job
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateFile(ctx, f); err != nil {
			return err
		}
		job, err = inserter.RequestAnalysis(ctx, tx, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, blobs: blobstest.NewGated(local), jobID: job.ID, owner: f.UserID, log: log}
}

// worker starts a worker on the analysis queue with ctx.
func (fx *fixture) worker(t *testing.T, ctx context.Context) *jobs.Client {
	t.Helper()
	w, err := jobs.New(fx.st.Pool, fx.log, jobs.Deps{Store: fx.st, Blobs: fx.blobs, AudioLimits: dsp.Limits{}},
		jobs.Config{Queues: map[string]int{string(phonoglyph.KindAudioAnalysis): 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// waitStatus waits until the job row reaches status.
func (fx *fixture) waitStatus(t *testing.T, status phonoglyph.Status) {
	t.Helper()
	eventually.True(t, 20*time.Second, "the job reaches "+string(status), func() bool {
		j, err := fx.st.Job(context.Background(), fx.owner, fx.jobID)
		return err == nil && j.Status == status
	})
}

// The context Start was given ending (the signal) does not cancel the
// running job: it finishes, and only Stop stops the worker.
func TestStartOutlivesItsContext(t *testing.T) {
	fx := newFixture(t)
	signal, cancel := context.WithCancel(context.Background())
	w := fx.worker(t, signal)
	defer w.Stop(context.Background(), 5*time.Second)
	fx.waitStatus(t, phonoglyph.StatusProcessing)
	cancel()
	time.Sleep(100 * time.Millisecond) // time for a cancellation to reach the job, were it propagated
	fx.blobs.Release()
	fx.waitStatus(t, phonoglyph.StatusCompleted)
}

// Stop lets a running job finish when it finishes within the timeout.
func TestStopWaitsForRunningJobs(t *testing.T) {
	fx := newFixture(t)
	w := fx.worker(t, context.Background())
	fx.waitStatus(t, phonoglyph.StatusProcessing)
	go func() {
		time.Sleep(300 * time.Millisecond)
		fx.blobs.Release()
	}()
	if err := w.Stop(context.Background(), 10*time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	fx.waitStatus(t, phonoglyph.StatusCompleted)
}

// Past the timeout Stop cancels the running job; it is not lost: another
// worker (a new replica) picks it up and finishes it.
func TestStopCancelsAfterTimeoutAndJobResumes(t *testing.T) {
	fx := newFixture(t)
	w := fx.worker(t, context.Background())
	fx.waitStatus(t, phonoglyph.StatusProcessing)
	start := time.Now()
	if err := w.Stop(context.Background(), 200*time.Millisecond); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if waited := time.Since(start); waited > 15*time.Second {
		t.Fatalf("stop took %s", waited)
	}
	var state string
	if err := fx.st.Pool.QueryRow(context.Background(), "SELECT state FROM river_job").Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state == "completed" || state == "cancelled" || state == "discarded" {
		t.Fatalf("interrupted job ended as %s; want it back in the queue", state)
	}
	// Make it runnable now rather than after River's retry backoff.
	if _, err := fx.st.Pool.Exec(context.Background(), "UPDATE river_job SET scheduled_at = now(), state = 'available'"); err != nil {
		t.Fatal(err)
	}
	fx.blobs.Release()
	w2 := fx.worker(t, context.Background())
	defer w2.Stop(context.Background(), 5*time.Second)
	fx.waitStatus(t, phonoglyph.StatusCompleted)
}

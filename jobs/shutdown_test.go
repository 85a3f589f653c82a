package jobs_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/dsp"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
	"phonoglyph/wavtest"
)

// discard is a logger for tests that read no logs.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// gatedBlobs holds every read until the gate opens or the job's context ends,
// so a job stays running for as long as a test needs.
type gatedBlobs struct {
	storage.Blobs
	gate chan struct{}
}

func (g *gatedBlobs) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	rc, info, err := g.Blobs.Open(ctx, key)
	if err != nil {
		return nil, info, err
	}
	select {
	case <-g.gate:
		return rc, info, nil
	case <-ctx.Done():
		rc.Close()
		return nil, info, ctx.Err()
	}
}

type fixture struct {
	st    *store.Store
	blobs *gatedBlobs
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
	inserter, err := jobs.NewInsertOnly(pool, log, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var job *phonoglyph.Job
	err = st.InTx(ctx, func(tx pgx.Tx, q *store.Queries) error {
		if err := q.CreateFile(ctx, f); err != nil {
			return err
		}
		job, err = inserter.RequestAnalysis(ctx, tx, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, blobs: &gatedBlobs{Blobs: local, gate: make(chan struct{})}, jobID: job.ID, owner: f.UserID, log: log}
}

func (fx *fixture) worker(t *testing.T) *jobs.Client {
	t.Helper()
	w, err := jobs.NewWorker(fx.st.Pool, fx.log, jobs.Deps{Store: fx.st, Blobs: fx.blobs, AudioLimits: dsp.Limits{}},
		jobs.Config{Queues: map[string]int{phonoglyph.KindAudioAnalysis: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.River.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// waitStatus waits until the job row reaches status.
func (fx *fixture) waitStatus(t *testing.T, status string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if j, err := fx.st.Job(context.Background(), fx.owner, fx.jobID); err == nil && j.Status == status {
			return
		}
	}
	t.Fatalf("job never reached %s", status)
}

// Stop lets a running job finish when it finishes within the timeout.
func TestStopWaitsForRunningJobs(t *testing.T) {
	fx := newFixture(t)
	w := fx.worker(t)
	fx.waitStatus(t, phonoglyph.StatusProcessing)
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(fx.blobs.gate)
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
	w := fx.worker(t)
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
	close(fx.blobs.gate)
	w2 := fx.worker(t)
	defer w2.Stop(context.Background(), 5*time.Second)
	fx.waitStatus(t, phonoglyph.StatusCompleted)
}

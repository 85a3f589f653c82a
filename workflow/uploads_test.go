package workflow_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/jobs"
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/store"
	"phonoglyph/wavtest"
	"phonoglyph/workflow"
)

// statements records the SQL a pool sends while on.
type statements struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		s.sql = append(s.sql, strings.Join(strings.Fields(d.SQL), " "))
	}
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statements) record(on bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = on
	if on {
		s.sql = nil
	}
	return s.sql
}

// Completing an upload is the busiest request of the upload flow, and each
// statement is a round trip in a transaction that holds the file's row:
// read the file, then one transaction of seal-and-return, the analysis's
// River job, its row. River adds its insert notification at most once per
// fetch cooldown and queue, so the count is 6, or 7 with it. (It was 9:
// a FOR UPDATE read, the update, a re-read, and a link of the job row to
// its River job.)
func TestCompletingAnUploadTakesSixStatements(t *testing.T) {
	ctx := context.Background()
	trace := &statements{}
	pc, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	pc.ConnConfig.Tracer = trace
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	blobs, err := storage.NewLocal(t.TempDir(), "http://localhost/blobs", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jc, err := jobs.New(pool, log, jobs.Deps{Store: st, Blobs: blobs}, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	wf := workflow.New(st, blobs, jc, log)

	for i := range 3 {
		owner, wav := uuid.NewString(), wavtest.Sine(8000, 1, 0.5, 440, 0.5)
		f := &phonoglyph.File{ID: uuid.NewString(), UserID: owner, FileName: "a.wav", FileType: phonoglyph.FileAudio,
			MimeType: "audio/wav", FileSize: int64(len(wav)), Key: objectkey.Upload(phonoglyph.FileAudio, owner, "a.wav", time.Now()),
			UploadStatus: phonoglyph.UploadUploading}
		if err := wf.DeclareUpload(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := blobs.Put(ctx, f.Key, bytes.NewReader(wav), f.FileSize, f.MimeType); err != nil {
			t.Fatal(err)
		}
		trace.record(true)
		done, queued, err := wf.CompleteUpload(ctx, owner, f.ID)
		sql := trace.record(false)
		if err != nil {
			t.Fatal(err)
		}
		if done.UploadStatus != phonoglyph.UploadCompleted || !strings.HasPrefix(done.Key, objectkey.SealedPrefix(f.Key)) || len(queued) != 1 {
			t.Fatalf("completed %+v with jobs %v", done, queued)
		}
		notify := 0
		for _, s := range sql {
			if strings.Contains(s, "pg_notify") && !strings.Contains(s, "INSERT") {
				notify++
			}
		}
		if i > 0 && len(sql)-notify != 6 { // River's first insert also asks the server's version, once per client
			t.Errorf("completion %d: %d statements (%d of them River's notification), want 6 besides it:\n%s",
				i, len(sql), notify, strings.Join(sql, "\n"))
		}
		var linked bool
		if err := pool.QueryRow(ctx, `SELECT river_job_id IS NOT NULL FROM audio_analysis_jobs WHERE id = $1`, queued[0].ID).Scan(&linked); err != nil || !linked {
			t.Errorf("analysis row linked to its River job: %v (%v)", linked, err)
		}
	}
}

package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// createJobTable creates a job table with the lifecycle columns every
// user-facing job table has (store.JobTable), plus extra columns. In the
// application this is a migration.
func createJobTable(ctx context.Context, pool *pgxpool.Pool, name, extra string) (store.JobTable, error) {
	_, err := pool.Exec(ctx, `CREATE TABLE `+name+` (
		id UUID PRIMARY KEY, user_id UUID NOT NULL,
		status TEXT NOT NULL DEFAULT 'queued', progress INTEGER NOT NULL DEFAULT 0, error TEXT, river_job_id BIGINT,
		created_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now()`+extra+`)`)
	return store.JobTable{Name: name}, err
}

// checksumArgs are the River arguments of the example's job kind: the row,
// and the object to hash.
type checksumArgs struct {
	JobID string `json:"job_id"`
	Key   string `json:"key"`
}

func (checksumArgs) Kind() string    { return "checksum" }
func (a checksumArgs) RowID() string { return a.JobID }
func (checksumArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "checksum", MaxAttempts: 3}
}

// A fifth job kind, end to end: a checksum of a stored object. What the kind
// writes is its work; the status, progress, failure message, retries and
// the one-transaction completion come from the lifecycle.
func Example_newKind() {
	ctx := context.Background()
	pool, drop, err := dbtest.Open(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop()
	dir, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(dir)
	blobs, _ := storage.NewLocal(dir, "http://localhost/blobs", []byte("secret"))
	_ = blobs.Put(ctx, "audio/song.wav", strings.NewReader("one small file\n"), 15, "audio/wav")

	// Its table: the lifecycle columns and its own.
	table, err := createJobTable(ctx, pool, "checksum_jobs", ", object_key TEXT NOT NULL, sha256 TEXT")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Its work.
	checksum := jobs.Kind[checksumArgs]{Table: table, Timeout: time.Minute,
		Work: func(ctx context.Context, run *jobs.Run, a checksumArgs) error {
			rc, _, err := blobs.Open(ctx, a.Key)
			if errors.Is(err, storage.ErrNotFound) {
				return jobs.Fail("The file is gone.") // fails the row; never retried
			} else if err != nil {
				return err // retried by River; recorded on the row after the last attempt
			}
			defer rc.Close()
			h := sha256.New()
			if _, err := io.Copy(h, rc); err != nil {
				return err
			}
			run.Progress(ctx, 90)
			return run.Complete(ctx, func(tx *store.Tx) error { // with the row's completion, or not at all
				_, err := tx.PGX().Exec(ctx, `UPDATE checksum_jobs SET sha256 = $2 WHERE id = $1`, run.ID(), hex.EncodeToString(h.Sum(nil)))
				return err
			})
		}}

	st := store.New(pool)
	client, err := jobs.New(pool, discard(), jobs.Deps{Store: st, Blobs: blobs},
		jobs.Config{Queues: map[string]int{"checksum": 1}, Kinds: []jobs.AnyKind{checksum}})
	if err == nil {
		err = client.Start(ctx)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Stop(ctx, 5*time.Second)
	// Enqueue: the row and its River job in one transaction.
	for _, key := range []string{"audio/song.wav", "audio/gone.wav"} {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			id := uuid.NewString()
			if _, err := tx.PGX().Exec(ctx, `INSERT INTO checksum_jobs (id, user_id, object_key) VALUES ($1, $2, $3)`,
				id, uuid.NewString(), key); err != nil {
				return err
			}
			return client.Enqueue(ctx, tx, table, checksumArgs{JobID: id, Key: key}, nil)
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	eventually.Until(30*time.Second, func() bool {
		var live int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM checksum_jobs WHERE status IN ('queued', 'processing')`).Scan(&live)
		return err == nil && live == 0
	})
	rows, _ := pool.Query(ctx, `SELECT object_key, status, progress, coalesce(sha256, error, '') FROM checksum_jobs ORDER BY object_key`)
	for rows.Next() {
		var key, status, outcome string
		var progress int
		_ = rows.Scan(&key, &status, &progress, &outcome)
		fmt.Println(key, status, progress, outcome)
	}
	// Output:
	// audio/gone.wav failed 0 The file is gone.
	// audio/song.wav completed 100 c16c49dab4bb8657a22885ba49b2562e3244b56e6fd4ba4bf6b8e9db460846b5
}

package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// Renders past their expiry lose their output file (row and object);
// unexpired ones keep it.
func TestRenderExpiry(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	blobs, err := storage.NewLocal(t.TempDir(), "http://localhost/blobs", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	owner := uuid.NewString()
	render := func(expires time.Duration) (fileID, key string) {
		key = "renders/" + owner + "/" + uuid.NewString() + ".mp4"
		f := &phonoglyph.File{ID: uuid.NewString(), UserID: owner, FileName: "r.mp4", FileType: "video", MimeType: "video/mp4",
			FileSize: 3, Key: key, UploadStatus: phonoglyph.UploadCompleted}
		if err := st.CreateFile(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := blobs.Put(ctx, key, bytes.NewReader([]byte("mp4")), 3, "video/mp4"); err != nil {
			t.Fatal(err)
		}
		_, err := pool.Exec(ctx, `INSERT INTO renders (id, user_id, status, output_file_id, expires_at)
			VALUES (gen_random_uuid(), $1, 'completed', $2, now() + $3::interval)`, owner, f.ID, expires.String())
		if err != nil {
			t.Fatal(err)
		}
		return f.ID, key
	}
	expiredFile, expiredKey := render(-time.Hour)
	keptFile, keptKey := render(time.Hour)

	w, err := jobs.New(pool, discard(), jobs.Deps{Store: st, Blobs: blobs}, jobs.Config{Queues: map[string]int{phonoglyph.QueueMaintenance: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil { // the expiry runs on start
		t.Fatal(err)
	}
	defer w.Stop(ctx, 5*time.Second)
	eventually.True(t, 15*time.Second, "the expired output is deleted", func() bool {
		_, err := blobs.Head(ctx, expiredKey)
		return errors.Is(err, storage.ErrNotFound)
	})
	if _, err := st.FileByID(ctx, owner, expiredFile); phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		t.Errorf("expired output row: %v", err)
	}
	if _, err := st.FileByID(ctx, owner, keptFile); err != nil {
		t.Errorf("unexpired output row: %v", err)
	}
	if _, err := blobs.Head(ctx, keptKey); err != nil {
		t.Errorf("unexpired output object: %v", err)
	}
}

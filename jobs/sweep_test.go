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
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
	"phonoglyph/store"
)

// The sweeper removes rows stuck uploading past their URL's expiry with
// their objects, and upload objects no row names; it keeps everything else.
func TestSweepAbandonedUploads(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		blobs, err := storage.NewLocal(t.TempDir(), "http://localhost/blobs", []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		sweepAbandonedUploads(t, blobs)
	})
	t.Run("s3", func(t *testing.T) {
		blobs, err := storage.NewS3(context.Background(), s3test.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		sweepAbandonedUploads(t, blobs)
	})
}

func sweepAbandonedUploads(t *testing.T, blobs storage.Blobs) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	put := func(key string) {
		if err := blobs.Put(ctx, key, bytes.NewReader([]byte("RIFF....WAVE")), 12, "audio/wav"); err != nil {
			t.Fatal(err)
		}
	}
	owner := uuid.NewString()
	file := func(key string, status phonoglyph.UploadStatus) string {
		f := &phonoglyph.File{ID: uuid.NewString(), UserID: owner, FileName: "a.wav", FileType: "audio", MimeType: "audio/wav",
			FileSize: 12, Key: key, UploadStatus: status}
		if err := st.CreateFile(ctx, f); err != nil {
			t.Fatal(err)
		}
		put(key)
		return f.ID
	}
	abandoned := file("audio/u/abandoned.wav", phonoglyph.UploadUploading)
	kept := file("audio/u/kept.wav", phonoglyph.UploadCompleted)
	if _, err := pool.Exec(ctx, "UPDATE file_metadata SET created_at = now() - interval '2 hours'"); err != nil {
		t.Fatal(err)
	}
	put("audio/u/orphan.wav")
	// Derived objects: those of a file deleted during its analysis, and the
	// stems of a failed separation, go; a live separation's stems stay.
	gonefile := uuid.NewString()
	orphanAnalysis := objectkey.AnalysisData(owner, gonefile, phonoglyph.StemMaster, jobs.AnalysisVersion)
	orphanThumb := objectkey.Thumbnail(gonefile)
	put(orphanAnalysis)
	put(orphanThumb)
	stemJob := func() *phonoglyph.StemJob {
		j, _, err := st.CreateStemJob(ctx, &phonoglyph.StemJob{Job: phonoglyph.Job{ID: uuid.NewString(), FileID: &kept},
			UserID: owner, FileKey: "audio/u/kept.wav", Config: phonoglyph.StemConfig{ModelVariant: uuid.NewString()}})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	failed, running := stemJob(), stemJob()
	if err := st.FinishJob(ctx, store.StemJobs, failed.ID, phonoglyph.StatusFailed, nil); err != nil {
		t.Fatal(err)
	}
	failedStem := objectkey.Stem(owner, failed.ID, phonoglyph.StemVocals, "wav")
	liveStem := objectkey.Stem(owner, running.ID, phonoglyph.StemVocals, "wav")
	// A sealed copy (objectkey.SealedStem) no stem file names, of a job that
	// ended, goes too; a live job's stays.
	failedSealed := objectkey.SealedStem(owner, failed.ID, phonoglyph.StemVocals, "wav")
	liveSealed := objectkey.SealedStem(owner, running.ID, phonoglyph.StemVocals, "wav")
	for _, k := range []string{failedStem, liveStem, failedSealed, liveSealed} {
		put(k)
	}
	time.Sleep(1100 * time.Millisecond) // objects are now older than the grace below (S3 times have 1 s resolution)

	w, err := jobs.New(pool, discard(),
		jobs.Deps{Store: st, Blobs: blobs, UploadGrace: time.Millisecond},
		jobs.Config{Queues: map[string]int{phonoglyph.QueueMaintenance: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil { // the sweep runs on start
		t.Fatal(err)
	}
	defer w.Stop(ctx, 5*time.Second)

	gone := func(key string) bool {
		_, err := blobs.Head(ctx, key)
		return errors.Is(err, storage.ErrNotFound)
	}
	eventually.True(t, 15*time.Second, "the abandoned upload and the orphan objects are deleted", func() bool {
		return gone("audio/u/abandoned.wav") && gone("audio/u/orphan.wav") && gone(orphanAnalysis) && gone(orphanThumb) && gone(failedStem) && gone(failedSealed)
	})
	if _, err := st.FileByID(ctx, owner, abandoned); phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		t.Errorf("abandoned row: %v", err)
	}
	if _, err := st.FileByID(ctx, owner, kept); err != nil {
		t.Errorf("completed row swept: %v", err)
	}
	if gone("audio/u/kept.wav") || gone(liveStem) || gone(liveSealed) {
		t.Error("sweeper deleted an object that belongs to a row or a live job")
	}
}

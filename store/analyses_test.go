package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph"
	"phonoglyph/dbtest"
	"phonoglyph/store"
)

// sharedFixture is a file whose analysis names document doc and thumbnail
// thumb, which other files may share.
type sharedFixture struct {
	st                      *store.Store
	owner, file, analysisID string
	doc, thumb, object      string
}

var contentHash = "abc"

func newSharedFixture(t *testing.T) *sharedFixture {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	f := &sharedFixture{st: store.New(pool), owner: uuid.NewString(), file: uuid.NewString(), analysisID: uuid.NewString(),
		doc: "content/abc/j/master-v.json", thumb: "content/abc/j/master-v.png", object: "audio/u/sealed/a.wav/1.wav"}
	if _, err := pool.Exec(ctx, `INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key, upload_status, thumbnail_key)
		VALUES ($1, $2, 'a.wav', 'audio', 'audio/wav', 10, $3, 'completed', $4)`, f.file, f.owner, f.object, f.thumb); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutAnalysis(ctx, &phonoglyph.Analysis{ID: f.analysisID, UserID: f.owner, FileID: f.file, StemType: "master",
		Version: "v", Features: []string{"rms"}, Data: []byte(`{}`), Waveform: []byte(`{}`), DataKey: &f.doc, ContentSHA256: &contentHash}); err != nil {
		t.Fatal(err)
	}
	return f
}

// share is what an analysis job served from the cache does in its
// transaction: lock the cached analysis, then name its objects for a file
// of another owner. It returns ENOTFOUND when the analysis is gone.
func (f *sharedFixture) share(ctx context.Context, tx *store.Tx) error {
	doc, thumb, err := tx.ShareAnalysis(ctx, f.analysisID)
	if err != nil {
		return err
	}
	other, owner := uuid.NewString(), uuid.NewString()
	if _, err := tx.PGX().Exec(ctx, `INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key, upload_status)
		VALUES ($1, $2, 'b.wav', 'audio', 'audio/wav', 10, 'audio/b.wav', 'completed')`, other, owner); err != nil {
		return err
	}
	if err := tx.PutAnalysis(ctx, &phonoglyph.Analysis{ID: uuid.NewString(), UserID: owner, FileID: other, StemType: "master",
		Version: "v", Features: []string{"rms"}, Data: []byte(`{}`), Waveform: []byte(`{}`), DataKey: doc, ContentSHA256: &contentHash}); err != nil {
		return err
	}
	return tx.SetThumbnail(ctx, other, *thumb)
}

// A deletion racing a job that shares the deleted file's analysis either
// waits for the share and keeps the shared objects, or happens first and
// the share is refused: a document is never freed while a row names it.
func TestSharedAnalysisSurvivesARacingDeletion(t *testing.T) {
	ctx := context.Background()
	t.Run("ShareFirst", func(t *testing.T) {
		f := newSharedFixture(t)
		locked, release := make(chan struct{}), make(chan struct{})
		shared := make(chan error, 1)
		go func() {
			shared <- f.st.InTx(ctx, func(tx *store.Tx) error {
				if err := f.share(ctx, tx); err != nil {
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked
		deleted := make(chan []string, 1)
		go func() {
			var keys []string
			err := f.st.InTx(ctx, func(tx *store.Tx) (err error) {
				keys, err = tx.DeleteFile(ctx, f.owner, f.file)
				return err
			})
			if err != nil {
				t.Error(err)
			}
			deleted <- keys
		}()
		select {
		case keys := <-deleted:
			t.Fatalf("the deletion did not wait for the share: freed %v", keys)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-shared; err != nil {
			t.Fatal(err)
		}
		keys := <-deleted
		if !slices.Equal(keys, []string{f.object}) {
			t.Errorf("deletion frees %v, want only the file's own object %s", keys, f.object)
		}
	})
	t.Run("DeleteFirst", func(t *testing.T) {
		f := newSharedFixture(t)
		var keys []string
		if err := f.st.InTx(ctx, func(tx *store.Tx) (err error) {
			keys, err = tx.DeleteFile(ctx, f.owner, f.file)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		if want := []string{f.object, f.doc, f.thumb}; !slices.Equal(keys, sorted(want)) {
			t.Errorf("deletion of the only owner frees %v, want %v", keys, sorted(want))
		}
		err := f.st.InTx(ctx, func(tx *store.Tx) error { return f.share(ctx, tx) })
		if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
			t.Errorf("sharing a deleted analysis: %v, want ENOTFOUND", err)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/wavtest"
)

// contentObjects lists the shared analysis documents and thumbnails stored.
func (e *env) contentObjects() []string {
	e.t.Helper()
	var keys []string
	err := e.blobs.(storage.Lister).ListOlder(context.Background(), "content", time.Now().Add(time.Hour), func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return keys
}

// Issue 10 item 7: project duplicates name the one stored document and
// thumbnail of their content instead of copying them, and the objects live
// exactly as long as some file names them.
func TestDuplicatesShareOneAnalysisDocument(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	id := e.createProject(token, map[string]any{"name": "Orig"})
	wav := wavtest.Sine(22050, 1, 1, 440, 0.5)
	u := e.createFileIn(token, id, "a.wav", "audio/wav", len(wav))
	e.put(u, wav)
	res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil)
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	e.waitJob(token, done.Jobs[0].ID)
	projects := []string{id}
	for range 3 {
		res := e.do("POST", "/api/v1/projects/"+id+"/duplicate", token, map[string]any{"include_files": true})
		var dup struct {
			Project struct{ ID string }
			Jobs    []struct{ ID string }
		}
		res.JSON(t, &dup)
		if res.Status != http.StatusCreated || len(dup.Jobs) != 1 {
			t.Fatalf("duplicate: %d %s", res.Status, res.Body)
		}
		if job := e.waitJob(token, dup.Jobs[0].ID); job["status"] != "completed" {
			t.Fatalf("copy's analysis: %v", job)
		}
		projects = append(projects, dup.Project.ID)
	}
	var rows, docs int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT data_key) FROM audio_analysis_cache`).Scan(&rows, &docs); err != nil {
		t.Fatal(err)
	}
	if objs := e.contentObjects(); rows != 4 || docs != 1 || len(objs) != 2 {
		t.Errorf("%d analyses naming %d documents, stored objects %v; want 4 naming 1, a document and a thumbnail", rows, docs, objs)
	}
	for i, p := range projects {
		if res := e.do("DELETE", "/api/v1/projects/"+p, token, nil); res.Status != http.StatusNoContent {
			t.Fatal(res.Status)
		}
		e.waitCleanups()
		if objs := e.contentObjects(); i < len(projects)-1 && len(objs) != 2 {
			t.Errorf("after deleting %d of %d projects the shared objects are %v", i+1, len(projects), objs)
		}
	}
	eventually.True(t, 10*time.Second, "the last deletion frees the shared objects", func() bool { return len(e.contentObjects()) == 0 })
}

// deleteOnThumbnail deletes a file (through del) right after the analysis
// job stored its thumbnail, the last object it writes before completing.
type deleteOnThumbnail struct {
	storage.Blobs
	once sync.Once
	del  func()
}

func (d *deleteOnThumbnail) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	err := d.Blobs.Put(ctx, key, r, size, contentType)
	if err == nil && strings.HasPrefix(key, "content/") && strings.HasSuffix(key, ".png") {
		d.once.Do(d.del)
	}
	return err
}

// Issue 12, reproduction 6 (analysis part): a file deleted while its
// analysis runs leaves no analysis document or thumbnail behind.
func TestDeletedDuringAnalysisLeavesNoObjects(t *testing.T) {
	var e *env
	var token, fileID string
	hook := &deleteOnThumbnail{}
	hook.del = func() {
		if res := e.do("DELETE", "/api/v1/files/"+fileID, token, nil); res.Status != http.StatusNoContent {
			t.Errorf("delete during analysis: %d %s", res.Status, res.Body)
		}
	}
	e = newEnv(t, func(d *jobs.Deps) { hook.Blobs, d.Blobs = d.Blobs, hook })
	token = e.user()
	wav := wavtest.Sine(22050, 1, 1, 440, 0.5)
	u := e.createFile(token, "a.wav", "audio/wav", len(wav))
	fileID = u.ID
	e.put(u, wav)
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	e.startWorker()
	eventually.True(t, 20*time.Second, "the file is deleted during its analysis", func() bool {
		res := e.do("GET", "/api/v1/files/"+u.ID, token, nil)
		return res.Status == http.StatusNotFound
	})
	eventually.True(t, 20*time.Second, "the analysis job ends", func() bool {
		var n int
		err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind = 'audio_analysis' AND state IN ('available', 'running', 'retryable', 'scheduled')`).Scan(&n)
		return err == nil && n == 0
	})
	eventually.True(t, 10*time.Second, "no analysis document or thumbnail is left", func() bool { return len(e.contentObjects()) == 0 })
}

// An analysis whose file has lost its stored object fails at once, with a
// sentence for its owner, instead of retrying until River gives up: the
// object of a completed file is never written again.
func TestAnalysisOfAMissingObjectFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	u, res := e.upload(token, "song.wav", "audio/wav", wavtest.Sine(22050, 1, 1, 440, 0.5))
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	var key string
	if err := e.pool.QueryRow(t.Context(), `SELECT s3_key FROM file_metadata WHERE id = $1`, u.ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if err := e.blobs.Delete(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	e.startWorker()
	var status, msg string
	var attempts int
	eventually.True(t, 20*time.Second, "the analysis ends", func() bool {
		err := e.pool.QueryRow(t.Context(), `SELECT a.status, coalesce(a.error, ''), r.attempt FROM audio_analysis_jobs a
			JOIN river_job r ON r.id = a.river_job_id WHERE a.file_metadata_id = $1`, u.ID).Scan(&status, &msg, &attempts)
		return err == nil && status != "queued" && status != "processing"
	})
	if status != "failed" || !strings.Contains(msg, "upload it again") || attempts != 1 {
		t.Errorf("analysis %s after %d attempts with %q; want failed after 1, asking for the file again", status, attempts, msg)
	}
}

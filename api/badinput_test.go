package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/eventually"
	"phonoglyph/storage"
	"phonoglyph/wavtest"
)

func TestDeclaredUploadValidation(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	cases := []struct {
		name, file, mime string
		size             int64
		want             int
		code             string
	}{
		{"audio over 50 MiB", "big.wav", "audio/wav", 52428801, http.StatusRequestEntityTooLarge, "too_large"},
		{"unknown type", "notes.txt", "text/plain", 10, http.StatusBadRequest, "invalid"},
		{"executable", "song.wav.exe", "audio/wav", 10, http.StatusBadRequest, "invalid"},
		{"mime of another kind", "a.wav", "image/png", 10, http.StatusBadRequest, "invalid"},
		{"empty", "a.wav", "audio/wav", 0, http.StatusBadRequest, "invalid"},
		{"name too long", strings.Repeat("a", 252) + ".wav", "audio/wav", 10, http.StatusBadRequest, "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": c.file, "file_size": c.size, "mime_type": c.mime})
			if res.Status != c.want || res.ErrorCode(t) != c.code {
				t.Errorf("%d %s, want %d %s", res.Status, res.Body, c.want, c.code)
			}
		})
	}
	res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": "a.wav", "file_size": 10, "mime_type": "audio/wav", "colour": "red"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "colour") {
		t.Errorf("unknown field: %d %s", res.Status, res.Body)
	}
	res = e.do("POST", "/api/v1/files", token, []byte(`{"file_name": `), "Content-Type", "application/json")
	if res.Status != http.StatusBadRequest {
		t.Errorf("broken JSON: %d %s", res.Status, res.Body)
	}
}

// More bytes than declared never get stored: the local URL refuses them
// with 413, S3 refuses them because the presigned URL signs the length.
func TestUploadBeyondDeclaredSizeIsRefused(t *testing.T) {
	t.Run("local", func(t *testing.T) { uploadBeyondDeclaredSize(t, newEnv(t), http.StatusRequestEntityTooLarge) })
	t.Run("s3", func(t *testing.T) { uploadBeyondDeclaredSize(t, newS3Env(t), http.StatusForbidden) })
}

func uploadBeyondDeclaredSize(t *testing.T, e *env, want int) {
	token := e.user()
	wav := wavtest.Sine(8000, 1, 0.5, 440, 0.3)
	u := e.createFile(token, "a.wav", "audio/wav", len(wav)-100)
	if res := e.put(u, wav); res.Status != want {
		t.Fatalf("PUT beyond declared size: %d %s, want %d", res.Status, res.Body, want)
	}
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusConflict {
		t.Errorf("complete without stored bytes: %d %s", res.Status, res.Body)
	}
}

// rejected checks that a completion failed with 400, the file is marked
// failed with the reason, and its object is gone.
func (e *env) rejected(token string, u *uploaded, res *response, reason string) {
	e.t.Helper()
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), reason) {
		e.t.Fatalf("complete: %d %s, want 400 mentioning %q", res.Status, res.Body, reason)
	}
	res = e.do("GET", "/api/v1/files/"+u.ID, token, nil)
	var f struct {
		File struct {
			Status string  `json:"upload_status"`
			Error  *string `json:"upload_error"`
			Key    string  `json:"s3_key"`
		} `json:"file"`
	}
	res.JSON(e.t, &f)
	if f.File.Status != "failed" || f.File.Error == nil {
		e.t.Errorf("file after rejection: %s", res.Body)
	}
	if _, err := e.blobs.Head(context.Background(), f.File.Key); !errors.Is(err, storage.ErrNotFound) {
		e.t.Errorf("rejected object still stored: %v", err)
	}
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusConflict {
		e.t.Errorf("completing a failed upload again: %d", res.Status)
	}
}

func TestCompletionChecksMagicBytes(t *testing.T) {
	t.Run("local", func(t *testing.T) { completionChecksMagicBytes(t, newEnv(t)) })
	t.Run("s3", func(t *testing.T) { completionChecksMagicBytes(t, newS3Env(t)) })
}

func completionChecksMagicBytes(t *testing.T, e *env) {
	token := e.user()
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	u, res := e.upload(token, "song.wav", "audio/wav", png)
	e.rejected(token, u, res, "does not match")
}

func TestCompletionChecksSize(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	wav := wavtest.Sine(8000, 1, 0.5, 440, 0.3)
	u := e.createFile(token, "a.wav", "audio/wav", len(wav))
	if res := e.put(u, wav[:len(wav)/2]); res.Status != http.StatusOK {
		t.Fatalf("short PUT: %d %s", res.Status, res.Body)
	}
	e.rejected(token, u, e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil), "does not match the declared")
}

// A WAV whose header promises more audio than the file holds passes the
// magic-byte check; its analysis fails once with a clear message and is not
// retried.
func TestTruncatedWAVFailsItsJobOnce(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	wav := wavtest.Sine(8000, 1, 2, 440, 0.3)
	truncated := wav[:len(wav)/3]
	u, res := e.upload(token, "cut.wav", "audio/wav", truncated)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	job := e.waitJob(token, done.Jobs[0].ID)
	msg, _ := job["error"].(string)
	if job["status"] != "failed" || !strings.Contains(msg, "truncated") {
		t.Fatalf("job = %v, want failed mentioning truncation", job)
	}
	res = e.do("GET", "/api/v1/files/"+u.ID+"/analysis", token, nil)
	if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), "truncated") {
		t.Errorf("analysis of truncated file: %d %s", res.Status, res.Body)
	}
	// River records the cancellation right after the worker returns.
	var state string
	var attempts int
	eventually.Until(10*time.Second, func() bool {
		err := e.pool.QueryRow(context.Background(), "SELECT state, attempt FROM river_job WHERE args->>'job_id' = $1", done.Jobs[0].ID).Scan(&state, &attempts)
		if err != nil {
			t.Fatal(err)
		}
		return state == "cancelled"
	})
	if state != "cancelled" || attempts != 1 {
		t.Errorf("river job %s after %d attempts, want cancelled after 1", state, attempts)
	}
}

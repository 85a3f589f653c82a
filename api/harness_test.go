package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/api"
	"phonoglyph/auth"
	"phonoglyph/dbtest"
	"phonoglyph/dsp"
	"phonoglyph/filetype"
	"phonoglyph/jobs"
	"phonoglyph/separate"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
	"phonoglyph/store"
	"phonoglyph/workflow"
)

var testSecret = []byte("test-secret-test-secret-test-secret!")

// env is one API server on its own database and blob directory, with a
// worker client that tests start when they want jobs to run.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	pool   *pgxpool.Pool
	store  *store.Store
	blobs  storage.Blobs
	worker *jobs.Client
	deps   jobs.Deps
	guests *auth.Guests
}

// newEnv serves the API with the local-directory blob backend; configure
// adjusts the workers' dependencies (RunPod, Lambda stand-ins).
func newEnv(t *testing.T, configure ...func(*jobs.Deps)) *env {
	return newEnvWith(t, func(apiURL string) (storage.Blobs, http.Handler) {
		blobs, err := storage.NewLocal(t.TempDir(), apiURL+"/blobs", testSecret)
		if err != nil {
			t.Fatal(err)
		}
		return blobs, blobs.Handler()
	}, configure...)
}

// newS3Env serves the API with the S3 backend on a real S3 server
// (versitygw), so upload and download URLs are presigned S3 URLs.
func newS3Env(t *testing.T) *env {
	return newEnvWith(t, func(string) (storage.Blobs, http.Handler) {
		blobs, err := storage.NewS3(context.Background(), s3test.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		return blobs, nil
	})
}

// newEnvWith serves the API with the blob backend openBlobs returns for the
// server's URL (and the handler of its signed URLs, if it serves them).
func newEnvWith(t *testing.T, openBlobs func(apiURL string) (storage.Blobs, http.Handler), configure ...func(*jobs.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	log := discardLog()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)

	blobs, blobHTTP := openBlobs(srv.URL)
	st := store.New(pool)
	deps := jobs.Deps{Store: st, Blobs: blobs, AudioLimits: dsp.Limits{MaxSeconds: 600},
		Stems: jobs.StemDeps{LocalSeparate: separate.Separate}}
	for _, f := range configure {
		f(&deps)
	}
	worker, err := jobs.New(pool, log, deps,
		jobs.Config{Queues: map[string]int{"audio_analysis": 2, "maintenance": 1, "midi": 1, "stem_separation": 2, "render": 2}})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{JWTSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	guests := auth.NewGuests(testSecret, 0)
	handler = api.New(api.Options{
		Log: log, Environment: "development", FrontendURLs: []string{"http://localhost:3000"}, MaxBodySize: 1 << 20,
		FileLimits: filetype.DefaultLimits(), UploadTTL: time.Hour, DownloadTTL: time.Hour,
		Store: st, Blobs: blobs, BlobHTTP: blobHTTP, Workflows: workflow.New(st, blobs, worker, log), Verifier: verifier, Guests: guests,
	})
	return &env{t: t, srv: srv, pool: pool, store: st, blobs: blobs, worker: worker, deps: deps, guests: guests}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startWorker runs the River workers until the test ends.
func (e *env) startWorker() {
	e.t.Helper()
	if err := e.worker.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		if err := e.worker.Stop(context.Background(), 5*time.Second); err != nil {
			e.t.Errorf("stop worker: %v", err)
		}
	})
}

// user returns a bearer token for a new user.
func (e *env) user() string {
	e.t.Helper()
	tok, err := auth.Mint(testSecret, "", uuid.NewString(), time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode is the code of a JSON error body.
func (r *response) ErrorCode(t *testing.T) string {
	t.Helper()
	var b struct {
		Error struct{ Code, Message string }
	}
	r.JSON(t, &b)
	if b.Error.Message == "" {
		t.Errorf("error body without message: %s", r.Body)
	}
	return b.Error.Code
}

// do sends a request to the API; body is JSON-encoded unless it is []byte.
func (e *env) do(method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = e.srv.URL + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if _, ok := body.([]byte); !ok && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// uploaded is a file created and PUT through the API.
type uploaded struct {
	ID     string
	Upload struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	}
}

// createFile declares an upload and returns its id and signed URL.
func (e *env) createFile(token, name, mime string, size int) *uploaded {
	e.t.Helper()
	res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": name, "file_size": size, "mime_type": mime})
	if res.Status != http.StatusCreated {
		e.t.Fatalf("create file: %d %s", res.Status, res.Body)
	}
	var body struct {
		File struct {
			ID           string `json:"id"`
			UploadStatus string `json:"upload_status"`
		} `json:"file"`
		Upload json.RawMessage `json:"upload"`
	}
	res.JSON(e.t, &body)
	if body.File.UploadStatus != "uploading" {
		e.t.Fatalf("new file status %q, want uploading", body.File.UploadStatus)
	}
	u := &uploaded{ID: body.File.ID}
	if err := json.Unmarshal(body.Upload, &u.Upload); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// put sends bytes to a signed upload URL with its required headers.
func (e *env) put(u *uploaded, data []byte) *response {
	e.t.Helper()
	h := make([]string, 0, 2*len(u.Upload.Headers))
	for k, v := range u.Upload.Headers {
		h = append(h, k, v)
	}
	return e.do(u.Upload.Method, u.Upload.URL, "", data, h...)
}

// upload declares, PUTs and completes a file, returning the completion.
func (e *env) upload(token, name, mime string, data []byte) (*uploaded, *response) {
	e.t.Helper()
	u := e.createFile(token, name, mime, len(data))
	if res := e.put(u, data); res.Status != http.StatusOK {
		e.t.Fatalf("PUT upload: %d %s", res.Status, res.Body)
	}
	return u, e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil)
}

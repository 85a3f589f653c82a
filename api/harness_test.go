package api_test

import (
	"bytes"
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

	"phonoglyph/apitest"
	"phonoglyph/auth"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
)

var testSecret = apitest.Secret

// env is one API server on its own database and blob directory, with a
// worker client that tests start when they want jobs to run.
type env struct {
	t      *testing.T
	sys    *apitest.System
	srv    *httptest.Server
	pool   *pgxpool.Pool
	store  *store.Store
	blobs  storage.Blobs
	worker *jobs.Client
	deps   jobs.Deps
	guests *auth.Guests
}

// newEnv serves the API with the local-directory blob backend; configure
// adjusts the workers' dependencies (RunPod, Lambda stand-ins). Every
// exchange is checked against the OpenAPI contract (apitest).
func newEnv(t *testing.T, configure ...func(*jobs.Deps)) *env {
	return envOf(t, apitest.Start(t, apitest.Options{Configure: configure}))
}

// newS3Env serves the API with the S3 backend on a real S3 server
// (versitygw), so upload and download URLs are presigned S3 URLs.
func newS3Env(t *testing.T) *env {
	return envOf(t, apitest.Start(t, apitest.Options{S3: true}))
}

func envOf(t *testing.T, s *apitest.System) *env {
	return &env{t: t, sys: s, srv: s.Server, pool: s.Pool, store: s.Store, blobs: s.Blobs, worker: s.Jobs, deps: s.Deps, guests: s.Guests}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startWorker runs the River workers until the test ends.
func (e *env) startWorker() { e.sys.StartWorkers() }

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

package console_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph/api"
	"phonoglyph/app"
	"phonoglyph/auth"
	"phonoglyph/config"
	"phonoglyph/console"
	"phonoglyph/dbtest"
)

// system is the whole product in this process, wired as `go run ./cmd/api
// -with-worker` wires it (configuration from the environment, app.Open,
// the API with the job workers in-process, local storage, the local
// separator and renderer) on one server: the API's Echo application with
// the console at "/" and /console/* and the dev-token endpoint at POST
// /api/v1/dev/token, mounted as the API will mount them.
type system struct {
	URL    string
	secret string
}

// startSystem starts the system on a fresh database until t ends.
func startSystem(t *testing.T) *system {
	t.Helper()
	ctx := context.Background()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)

	const secret = "console-test-secret-console-test-secret"
	for k, v := range map[string]string{
		"APP_ENV": "development", "NODE_ENV": "", "DATABASE_URL": dbtest.URL(t), "AUTO_MIGRATE": "false",
		"PUBLIC_URL": srv.URL, "STORAGE_BACKEND": "local", "STORAGE_DIR": t.TempDir(),
		"JWT_SECRET": secret, "SESSION_SECRET": secret, "NEXT_PUBLIC_SUPABASE_URL": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "",
		"RUNPOD_API_KEY": "", "RUNPOD_ENDPOINT_ID": "", "REMOTION_SERVE_URL": "",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := testLogger(t)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	jc, err := a.Jobs(true)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{JWTSecret: []byte(cfg.JWTSecret)})
	if err != nil {
		t.Fatal(err)
	}
	e := api.New(api.Options{
		Log: log, Environment: cfg.Env, FrontendURLs: cfg.FrontendURLs, MaxBodySize: cfg.MaxBodySize,
		FileLimits: cfg.FileLimits(), UploadTTL: cfg.UploadURLTTL, DownloadTTL: cfg.DownloadURLTTL,
		Store: a.Store, Blobs: a.Blobs, BlobHTTP: a.BlobHandler(), Workflows: a.Workflows(jc), Verifier: verifier,
		Guests: auth.NewGuests([]byte(cfg.SessionSecret), 0),
	})
	// Mounted as the API will mount them (see the README's console section).
	page := echo.WrapHandler(console.Handler())
	e.GET("/", page)
	e.GET(console.Prefix+"*", page)
	e.POST(console.DevTokenPath, echo.WrapHandler(console.DevTokenHandler(func(sub string) (string, error) {
		return auth.Mint([]byte(cfg.JWTSecret), "", sub, time.Hour)
	})))
	handler = e

	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := jc.Stop(context.Background(), 5*time.Second); err != nil {
			t.Errorf("stop workers: %v", err)
		}
	})
	return &system{URL: srv.URL, secret: secret}
}

// testLogger logs warnings and errors of the system to the test's log,
// and nothing once the test has ended (workers may log while stopping).
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(string(p))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

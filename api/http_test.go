package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/api"
	"phonoglyph/apitest"
	"phonoglyph/config"
	"phonoglyph/store"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/health", "", nil)
	var h map[string]any
	res.JSON(t, &h)
	if res.Status != http.StatusOK || h["status"] != "ok" || h["database"] != "ok" || h["environment"] != "development" || h["timestamp"] == nil {
		t.Fatalf("health: %d %s", res.Status, res.Body)
	}
	if res.Header.Get("X-Request-Id") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("missing request id or security headers: %v", res.Header)
	}

	// A database that does not answer makes the service unhealthy.
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(api.New(api.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Environment: "production", Store: store.New(pool), MaxBodySize: 1024}))
	defer srv.Close()
	r, err := http.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("health without database: %d", r.StatusCode)
	}
	// /test exists only in development.
	r, err = http.Post(srv.URL+"/test", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("POST /test in production: %d", r.StatusCode)
	}
}

func TestEchoAndErrors(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/test", "", map[string]any{"hello": "world"})
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"hello":"world"`) {
		t.Errorf("POST /test: %d %s", res.Status, res.Body)
	}
	res = e.do("GET", "/api/v1/nothing-here", e.user(), nil)
	if res.Status != http.StatusNotFound || res.ErrorCode(t) != "not_found" {
		t.Errorf("unknown route: %d %s", res.Status, res.Body)
	}
	big := strings.Repeat("x", 2<<20)
	res = e.do("POST", "/api/v1/files", e.user(), []byte(`{"file_name":"`+big+`"}`), "Content-Type", "application/json")
	if res.Status != http.StatusRequestEntityTooLarge || res.ErrorCode(t) != "too_large" {
		t.Errorf("oversized body: %d %.200s", res.Status, res.Body)
	}
}

// Preview deployments are trusted only when a pattern is configured
// (config: CORS_PREVIEW_ORIGINS, off in production unless set).
func TestCORS(t *testing.T) {
	t.Run("no preview pattern", func(t *testing.T) {
		checkCORS(t, envOf(t, apitest.Start(t, apitest.Options{})), map[string]bool{
			"http://localhost:3000":                  true,
			"https://phonoglyph-git-main.vercel.app": false,
		})
	})
	t.Run("preview pattern", func(t *testing.T) {
		pattern, err := config.OriginPattern("https://phonoglyph-*.vercel.app")
		if err != nil {
			t.Fatal(err)
		}
		checkCORS(t, envOf(t, apitest.Start(t, apitest.Options{PreviewOrigins: pattern})), map[string]bool{
			"http://localhost:3000":                  true,
			"https://phonoglyph-git-main.vercel.app": true,
			"https://evil.example":                   false,
			"https://phonoglyph-x.vercel.app.evil":   false,
			"https://phonoglyph-a.b.vercel.app":      false,
		})
	})
}

func checkCORS(t *testing.T, e *env, origins map[string]bool) {
	for origin, allowed := range origins {
		res := e.do("OPTIONS", "/api/v1/files", "", nil, "Origin", origin, "Access-Control-Request-Method", "POST")
		got := res.Header.Get("Access-Control-Allow-Origin") == origin
		if got != allowed || (allowed && res.Header.Get("Access-Control-Allow-Credentials") != "true") {
			t.Errorf("origin %s: allowed=%v headers=%v", origin, got, res.Header)
		}
	}
}

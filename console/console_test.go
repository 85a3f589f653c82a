package console_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"phonoglyph/console"
)

func get(t *testing.T, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// The page is at "/", its assets under /console/, and nothing else is
// answered, so mounting the handler never hides an API route.
func TestHandlerServesOnlyThePage(t *testing.T) {
	h := console.Handler()
	for path, want := range map[string]string{
		"/":                       "text/html",
		"/console/console.css":    "text/css",
		"/console/js/main.js":     "javascript",
		"/console/js/events.js":   "javascript",
		"/console/js/charts.js":   "javascript",
		"/console/js/analysis.js": "javascript",
	} {
		res := get(t, h, "GET", path)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), want) || len(body) == 0 {
			t.Errorf("GET %s: %d %q (%d bytes), want 200 %s", path, res.StatusCode, res.Header.Get("Content-Type"), len(body), want)
		}
		if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: Cache-Control %q, ETag %q; want no-cache with an ETag", path, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
	}
	index := get(t, h, "GET", "/")
	if csp := index.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("page CSP = %q", csp)
	}
	if res := get(t, h, "GET", "/", "If-None-Match", index.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag: %d, want 304", res.StatusCode)
	}
	if res := get(t, h, "HEAD", "/console/console.css"); res.StatusCode != http.StatusOK {
		t.Errorf("HEAD: %d", res.StatusCode)
	}
	for _, path := range []string{"/index.html", "/health", "/api/v1/files", "/console/", "/console/nope.js",
		"/console/../index.html", "/console/js/../console.css", "/metrics", "/openapi.json"} {
		if res := get(t, h, "GET", path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	if res := get(t, h, "POST", "/"); res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d Allow %q, want 405", res.StatusCode, res.Header.Get("Allow"))
	}
}

func postToken(t *testing.T, h http.Handler, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", console.DevTokenPath, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST %q: Content-Type %q", body, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("POST %q: %v: %s", body, err, rec.Body)
	}
	return rec.Code, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	if msg, _ := e["message"].(string); msg == "" {
		return ""
	}
	code, _ := e["code"].(string)
	return code
}

// The dev-token endpoint mints for the user asked (or a new one), and
// answers bad requests in the API's error shape.
func TestDevTokenHandler(t *testing.T) {
	var minted []string
	h := console.DevTokenHandler(func(sub string) (string, error) {
		minted = append(minted, sub)
		return "token-for-" + sub, nil
	})
	sub := uuid.NewString()
	if status, body := postToken(t, h, `{"sub":"`+sub+`"}`); status != http.StatusOK || body["token"] != "token-for-"+sub ||
		body["sub"] != sub || body["token_type"] != "bearer" {
		t.Errorf("with sub: %d %v", status, body)
	}
	for _, empty := range []string{"", "{}"} {
		status, body := postToken(t, h, empty)
		got, _ := body["sub"].(string)
		if status != http.StatusOK || uuid.Validate(got) != nil || got == sub || body["token"] != "token-for-"+got {
			t.Errorf("body %q: %d %v, want a token for a new user", empty, status, body)
		}
	}
	for _, bad := range []string{`{"sub":"alice"}`, `{"sub":`, `[1]`, `{"sub":"` + strings.Repeat("a", 2000) + `"}`} {
		if status, body := postToken(t, h, bad); status != http.StatusBadRequest || errorCode(body) != "invalid" {
			t.Errorf("body %.40q: %d %v, want 400 invalid", bad, status, body)
		}
	}
	if len(minted) != 3 {
		t.Errorf("minted %d tokens, want 3 (bad requests mint none)", len(minted))
	}

	req := httptest.NewRequest("GET", console.DevTokenPath, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), `"code":"invalid"`) {
		t.Errorf("GET: %d %s, want 405 in the error shape", rec.Code, rec.Body)
	}

	failing := console.DevTokenHandler(func(string) (string, error) { return "", errors.New("no JWT secret configured") })
	if status, body := postToken(t, failing, ""); status != http.StatusInternalServerError || errorCode(body) != "internal" ||
		!strings.Contains(body["error"].(map[string]any)["message"].(string), "no JWT secret") {
		t.Errorf("mint failure: %d %v", status, body)
	}
}

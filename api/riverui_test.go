package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"riverqueue.com/riverui"

	"phonoglyph/api"
	"phonoglyph/dbtest"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// riverUIServer serves the API with River UI under the given credentials
// and environment.
func riverUIServer(t *testing.T, env, user, pass string) *httptest.Server {
	t.Helper()
	pool := dbtest.Pool(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jc, err := jobs.New(pool, log, jobs.Deps{}, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: jc.UIEndpoints(), Logger: log, Prefix: "/riverui"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := ui.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Log: log, Environment: env, Store: store.New(pool), MaxBodySize: 1024,
		RiverUI: ui, RiverUIUser: user, RiverUIPassword: pass}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, user, pass string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestRiverUI(t *testing.T) {
	t.Run("basic auth", func(t *testing.T) {
		srv := riverUIServer(t, "production", "ops", "s3cret")
		if got := get(t, srv.URL+"/riverui/api/jobs?state=available", "", ""); got != http.StatusUnauthorized {
			t.Errorf("without credentials: %d", got)
		}
		if got := get(t, srv.URL+"/riverui/api/jobs?state=available", "ops", "wrong"); got != http.StatusUnauthorized {
			t.Errorf("wrong password: %d", got)
		}
		if got := get(t, srv.URL+"/riverui/api/jobs?state=available", "ops", "s3cret"); got != http.StatusOK {
			t.Errorf("with credentials: %d", got)
		}
		if got := get(t, srv.URL+"/riverui/", "ops", "s3cret"); got != http.StatusOK {
			t.Errorf("UI page: %d", got)
		}
	})
	t.Run("production without credentials is disabled", func(t *testing.T) {
		srv := riverUIServer(t, "production", "", "")
		if got := get(t, srv.URL+"/riverui/", "", ""); got != http.StatusNotFound {
			t.Errorf("disabled UI: %d", got)
		}
	})
	t.Run("development without credentials is open to localhost", func(t *testing.T) {
		srv := riverUIServer(t, "development", "", "")
		if got := get(t, srv.URL+"/riverui/api/jobs?state=available", "", ""); got != http.StatusOK {
			t.Errorf("localhost in development: %d", got)
		}
	})
}

// River UI's API changes jobs; a browser would send cached Basic
// credentials with any site's simple POST, so cross-site requests are
// refused before the credentials count.
func TestRiverUIRefusesCrossSiteRequests(t *testing.T) {
	srv := riverUIServer(t, "production", "ops", "s3cret")
	host := strings.TrimPrefix(srv.URL, "http://")
	send := func(method string, headers ...string) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/riverui/api/jobs/cancel", strings.NewReader(`{"ids":["1"]}`))
		req.SetBasicAuth("ops", "s3cret")
		req.Header.Set("Content-Type", "text/plain") // a simple request: no preflight
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for name, h := range map[string][]string{
		"foreign Origin":          {"Origin", "https://evil.example"},
		"cross-site fetch":        {"Sec-Fetch-Site", "cross-site"},
		"same-site other origin":  {"Sec-Fetch-Site", "same-site", "Origin", "http://" + host},
		"Origin of another port":  {"Origin", "http://127.0.0.1:1"},
		"null Origin (sandboxed)": {"Origin", "null"},
	} {
		if got := send("POST", h...); got != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, got)
		}
	}
	for name, h := range map[string][]string{
		"same origin":        {"Origin", "http://" + host, "Sec-Fetch-Site", "same-origin"},
		"no browser headers": nil,
	} {
		if got := send("POST", h...); got == http.StatusForbidden || got == http.StatusUnauthorized {
			t.Errorf("%s: %d, want it to reach River UI", name, got)
		}
	}
}

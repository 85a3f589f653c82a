package debug

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerServesProfiles(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for path, want := range map[string]string{
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/heap?debug=1":      "heap profile",
		"/debug/pprof/goroutine?debug=1": "goroutine profile",
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, no %q", path, res.StatusCode, want)
		}
	}
}

func TestServeIsOffWithoutAnAddressAndNamesABadOne(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Serve(context.Background(), "", log); err != nil {
		t.Fatalf("no address: %v", err)
	}
	err := Serve(context.Background(), "256.0.0.1:bad", log)
	if err == nil || !strings.Contains(err.Error(), "DEBUG_ADDR") {
		t.Fatalf("bad address: %v", err)
	}
}

package storage_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// A signed PUT to a key RefuseWrites closes answers 403 and stores
// nothing; other keys stay writable; a failing check answers 500.
func TestRefuseWrites(t *testing.T) {
	s := newServer(t)
	var closed atomic.Bool
	var broken atomic.Bool
	s.RefuseWrites(func(_ context.Context, key string) (bool, error) {
		if broken.Load() {
			return false, errors.New("database down")
		}
		return closed.Load() && key == "audio/u/k.wav", nil
	})
	put := func(key, body string) int {
		t.Helper()
		up, err := s.SignPut(t.Context(), key, "audio/wav", int64(len(body)), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, http.MethodPut, up.URL, bytes.NewReader([]byte(body)), up.Headers).status
	}
	if st := put("audio/u/k.wav", "genuine"); st != http.StatusOK {
		t.Fatalf("PUT to an open upload: %d", st)
	}
	closed.Store(true)
	if st := put("audio/u/k.wav", "html!!!"); st != http.StatusForbidden {
		t.Errorf("PUT to a closed upload: %d, want 403", st)
	}
	if st := put("audio/u/other.wav", "fine"); st != http.StatusOK {
		t.Errorf("PUT to another key: %d", st)
	}
	rc, _, err := s.Open(t.Context(), "audio/u/k.wav")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(rc); err != nil || got.String() != "genuine" {
		t.Errorf("closed object holds %q (%v), want the genuine bytes", got.String(), err)
	}
	broken.Store(true)
	if st := put("audio/u/other.wav", "fine"); st != http.StatusInternalServerError {
		t.Errorf("PUT while the check fails: %d, want 500", st)
	}
}

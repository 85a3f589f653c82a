package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// Every application error code maps to its status, and a code the mapping
// does not know (a bug) answers 500 with the internal code and no details,
// never the invalid status 0.
func TestErrorStatuses(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e := echo.New()
	for _, c := range []struct {
		code, wantCode, wantMsg string
		status                  int
	}{
		{phonoglyph.EINVALID, phonoglyph.EINVALID, "details", http.StatusBadRequest},
		{phonoglyph.ENOTFOUND, phonoglyph.ENOTFOUND, "details", http.StatusNotFound},
		{phonoglyph.ECONFLICT, phonoglyph.ECONFLICT, "details", http.StatusConflict},
		{phonoglyph.EUNAUTHORIZED, phonoglyph.EUNAUTHORIZED, "details", http.StatusUnauthorized},
		{phonoglyph.EFORBIDDEN, phonoglyph.EFORBIDDEN, "details", http.StatusForbidden},
		{phonoglyph.ETOOLARGE, phonoglyph.ETOOLARGE, "details", http.StatusRequestEntityTooLarge},
		{phonoglyph.EINTERNAL, phonoglyph.EINTERNAL, "details", http.StatusInternalServerError},
		{"teapot", phonoglyph.EINTERNAL, "Internal error.", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		s.handleError(phonoglyph.Errorf(c.code, "details"), e.NewContext(httptest.NewRequest("GET", "/x", nil), rec))
		var body ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != c.status ||
			body.Error.Code != c.wantCode || body.Error.Message != c.wantMsg {
			t.Errorf("code %q: %d %s; want %d %s %q", c.code, rec.Code, rec.Body, c.status, c.wantCode, c.wantMsg)
		}
	}
}

// A value of the wrong JSON type is named by what the client must send, not
// by the domain type behind the field.
func TestWrongJSONTypeNamesTheBasicType(t *testing.T) {
	for body, want := range map[string]string{
		`{"stem_type": 5}`:         "stem_type: must be a string.",
		`{"file_size": "big"}`:     "file_size: must be a int64.",
		`{"file_name": ["a.wav"]}`: "file_name: must be a string.",
	} {
		r := httptest.NewRequest("POST", "/api/v1/files", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		c := echo.New().NewContext(r, httptest.NewRecorder())
		var req createFileRequest
		if err := decodeJSON(c, &req); phonoglyph.ErrorMessage(err) != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// A request whose client went away fails with the context's cancellation
// somewhere below the handler; it is logged and counted as the client's
// 499, not as an internal error. A cancellation of the server's own making,
// with the client still there, stays a 500.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	var logged strings.Builder
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, nil))}
	e := echo.New()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	err := fmt.Errorf("store: list files: %w", context.Canceled)

	rec := httptest.NewRecorder()
	s.handleError(err, e.NewContext(httptest.NewRequest("GET", "/x", nil).WithContext(gone), rec))
	if rec.Code != StatusClientClosedRequest || strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("client gone: %d, log %q; want 499 and no error logged", rec.Code, logged.String())
	}

	logged.Reset()
	rec = httptest.NewRecorder()
	s.handleError(err, e.NewContext(httptest.NewRequest("GET", "/x", nil), rec))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("client still there: %d, log %q; want 500 and an error logged", rec.Code, logged.String())
	}
}

package openapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"phonoglyph/openapi"
)

func TestHandlerServesTheDocument(t *testing.T) {
	srv := httptest.NewServer(openapi.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + openapi.Path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || doc.OpenAPI != "3.1.0" ||
		doc.Paths["/api/v1/jobs/{id}"] == nil || !bytes.Equal(body, openapi.Document()) {
		t.Fatalf("GET: %d %s openapi=%q, %d paths", res.StatusCode, res.Header.Get("Content-Type"), doc.OpenAPI, len(doc.Paths))
	}

	req, _ := http.NewRequest("GET", srv.URL+openapi.Path, nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if res.Header.Get("ETag") == "" || again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with ETag %q: %d", res.Header.Get("ETag"), again.StatusCode)
	}

	post, err := http.Post(srv.URL+openapi.Path, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", post.StatusCode, post.Header.Get("Allow"))
	}
}

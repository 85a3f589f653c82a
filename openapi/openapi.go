// Package openapi holds Phonoglyph's published HTTP contract: the OpenAPI 3.1
// document kept in the repository (openapi.json, the one copy every other
// artefact is made from) and the handler that serves it at /openapi.json.
//
// Package openapitest checks real exchanges against the document, and
// openapi/generate-types derives the frontend's TypeScript types from it.
package openapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// Path is where the API serves the document.
const Path = "/openapi.json"

//go:embed openapi.json
var document []byte

// etag names this build's document, so clients can revalidate cheaply.
var etag = func() string {
	sum := sha256.Sum256(document)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// Document returns a copy of the OpenAPI document.
func Document() []byte { return bytes.Clone(document) }

// Handler serves the document for GET and HEAD, with an ETag so a client's
// If-None-Match revalidation answers 304.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "GET or HEAD only.", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(document))
	})
}

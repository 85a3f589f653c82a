// Package console is the web page a newcomer lands on at the API's "/": sign
// in with a development token, upload a song, watch its jobs move, see the
// analysis as pictures, play its stems and a rendered video. The page reads
// only the public API, so it is also the API's living example.
//
// It is static HTML, CSS and ES modules embedded in the binary: nothing is
// built or bundled to run it. The API mounts Handler at "/" and "/console/*",
// and in development DevTokenHandler at POST /api/v1/dev/token.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"phonoglyph"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// Prefix is the path under which the page's assets are served; the page
// itself is served at "/".
const Prefix = "/console/"

// contentSecurityPolicy keeps scripts and styles to the page's own files.
// Media, images and uploads may go to another origin: with S3 storage the
// signed URLs point at the bucket.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob: http: https:; media-src 'self' blob: http: https:; " +
	"connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the console: index.html at "/" and the assets under
// Prefix. Any other path is 404, so mounting it never hides an API route.
// Files are sent with an ETag of their content and Cache-Control no-cache,
// so a new binary's page is picked up at once and an unchanged one costs a
// 304.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, phonoglyph.EINVALID, "The console is read with GET.")
		return
	}
	name := ""
	switch p := r.URL.Path; {
	case p == "/":
		name = "index.html"
	case strings.HasPrefix(p, Prefix) && path.Clean(p) == p:
		name = strings.TrimPrefix(p, Prefix)
	}
	f, ok := files()[name]
	if name == "" || !ok {
		writeError(w, http.StatusNotFound, phonoglyph.ENOTFOUND, "No such page.")
		return
	}
	h := w.Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if name == "index.html" {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.data))
}

// file is one embedded asset with the ETag of its content.
type file struct {
	data []byte
	etag string
}

// files reads the embedded assets once, keyed by their path under static/.
var files = sync.OnceValue(func() map[string]file {
	out := map[string]file{}
	root, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[p] = file{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // embedded files are always readable
	}
	return out
})

package storage_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"phonoglyph/storage"
)

// server is a Local whose Handler is served under /blobs, as the API mounts
// it, and the root both share.
type server struct {
	*storage.Local
	root    string
	baseURL string
}

func newServer(t *testing.T) *server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	s := &server{root: filepath.Join(t.TempDir(), "blobs"), baseURL: "http://" + srv.Listener.Addr().String() + "/blobs"}
	var err error
	if s.Local, err = storage.NewLocal(s.root, s.baseURL, testSecret); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = http.StripPrefix("/blobs", s.Handler())
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

// signer returns another Local on the same root and secret whose clock is
// shifted by d, as another process with a skewed clock would be.
func (s *server) signer(t *testing.T, d time.Duration) *storage.Local {
	t.Helper()
	l, err := storage.NewLocal(s.root, s.baseURL, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	storage.SetNow(l, func() time.Time { return time.Now().Add(d) })
	return l
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request with plain net/http; body nil sends none, and a body
// that is not a *bytes.Reader is sent chunked, without a Content-Length.
func do(t *testing.T, method, rawURL string, body io.Reader, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

// upload signs a PUT of data and sends it with the signed headers.
func (s *server) upload(t *testing.T, key, contentType string, data []byte) response {
	t.Helper()
	u, err := s.SignPut(t.Context(), key, contentType, int64(len(data)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, u.Method, u.URL, bytes.NewReader(data), u.Headers)
}

// signGet signs a download of key.
func (s *server) signGet(t *testing.T, key, name string) string {
	t.Helper()
	u, err := s.SignGet(t.Context(), key, name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return u.URL
}

// refused checks an error answer: S3's status and code (X-Blob-Error) in
// the API's JSON error shape.
func refused(t *testing.T, what string, res response, status int, code string) {
	t.Helper()
	if res.status != status || res.header.Get("X-Blob-Error") != code || !jsonError(res) {
		t.Errorf("%s: %d %s, want %d %s", what, res.status, res.body, status, code)
	}
}

// jsonError reports whether res carries the API's JSON error shape.
func jsonError(res response) bool {
	var b struct {
		Error struct{ Code, Message string }
	}
	return res.header.Get("Content-Type") == "application/json" && json.Unmarshal([]byte(res.body), &b) == nil &&
		b.Error.Code != "" && b.Error.Message != ""
}

// stored reports whether key has an object, checking no partial upload is
// left in the temporary directory either way.
func (s *server) stored(t *testing.T, key string) bool {
	t.Helper()
	if tmp := listFiles(t, filepath.Join(s.root, "tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	_, err := s.Head(t.Context(), key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestSignedUploadAndDownload(t *testing.T) {
	s := newServer(t)
	key := "audio/user-1/1700000000000_a b+ü%?.wav"
	data := bytes.Repeat([]byte("RIFF....WAVEfmt "), 4096)
	sum := md5.Sum(data)
	etag := strconv.Quote(hex.EncodeToString(sum[:]))

	put := s.upload(t, key, "audio/wav", data)
	if put.status != http.StatusOK || put.header.Get("ETag") != etag {
		t.Fatalf("PUT: %d %s etag %s, want 200 etag %s", put.status, put.body, put.header.Get("ETag"), etag)
	}
	info, err := s.Head(t.Context(), key)
	if err != nil || info.Size != int64(len(data)) || info.ContentType != "audio/wav" {
		t.Fatalf("Head after PUT: %+v %v", info, err)
	}

	getURL := s.signGet(t, key, "song.wav")
	get := do(t, "GET", getURL, nil, nil)
	if get.status != http.StatusOK || get.body != string(data) {
		t.Fatalf("GET: %d, %d bytes", get.status, len(get.body))
	}
	for h, want := range map[string]string{
		"Content-Type":           "audio/wav",
		"Content-Disposition":    `attachment; filename="song.wav"`,
		"Content-Length":         strconv.Itoa(len(data)),
		"ETag":                   etag,
		"Accept-Ranges":          "bytes",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := get.header.Get(h); got != want {
			t.Errorf("GET %s: %q, want %q", h, got, want)
		}
	}

	head := do(t, "HEAD", getURL, nil, nil)
	if head.status != http.StatusOK || head.body != "" || head.header.Get("Content-Length") != strconv.Itoa(len(data)) {
		t.Errorf("HEAD: %d %q %v", head.status, head.body, head.header)
	}
	part := do(t, "GET", getURL, nil, map[string]string{"Range": "bytes=4-11"})
	if part.status != http.StatusPartialContent || part.body != string(data[4:12]) {
		t.Errorf("ranged GET: %d %q", part.status, part.body)
	}
	if res := do(t, "GET", getURL, nil, map[string]string{"If-None-Match": etag}); res.status != http.StatusNotModified {
		t.Errorf("conditional GET: %d", res.status)
	}
}

func TestDownloadNameIsQuotedSafely(t *testing.T) {
	s := newServer(t)
	if res := s.upload(t, "k", "audio/wav", []byte("x")); res.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	for _, name := range []string{
		"plain name.wav",
		`quote " and \ backslash.wav`,
		"Mötley Crüe – 東京.wav",
		"100%25 sure.wav",
		"split\r\nSet-Cookie: a=b.wav",
		"bad utf8 \xff.wav",
	} {
		res := do(t, "GET", s.signGet(t, "k", name), nil, nil)
		cd := res.header.Get("Content-Disposition")
		typ, params, err := mime.ParseMediaType(cd)
		want := strings.ToValidUTF8(name, "\uFFFD")
		if res.status != http.StatusOK || err != nil || typ != "attachment" || params["filename"] != want {
			t.Errorf("%q: %d Content-Disposition %q parses as %q %q (%v)", name, res.status, cd, typ, params["filename"], err)
		}
		if strings.ContainsAny(cd, "\r\n\x7f") || res.header.Get("Set-Cookie") != "" {
			t.Errorf("%q: header injection: %q", name, cd)
		}
	}
	if cd := do(t, "GET", s.signGet(t, "k", ""), nil, nil).header.Get("Content-Disposition"); cd != "attachment" {
		t.Errorf("no download name: Content-Disposition %q", cd)
	}
}

func TestExpiredURLsAreRefused(t *testing.T) {
	s := newServer(t)
	if res := s.upload(t, "k", "text/plain", []byte("x")); res.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	past := s.signer(t, -2*time.Hour)
	put, err := past.SignPut(t.Context(), "k2", "text/plain", 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	get, err := past.SignGet(t.Context(), "k", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range []response{
		do(t, "PUT", put.URL, strings.NewReader("x"), put.Headers),
		do(t, "GET", get.URL, nil, nil),
	} {
		refused(t, "expired URL", res, http.StatusForbidden, "AccessDenied")
		if !strings.Contains(res.body, "Request has expired") {
			t.Errorf("expired URL: %s", res.body)
		}
	}
	if s.stored(t, "k2") {
		t.Error("expired PUT stored an object")
	}
	// A URL signed by a process whose clock runs a little ahead still works
	// until its expiry.
	ahead := s.signer(t, time.Minute)
	if u, err := ahead.SignGet(t.Context(), "k", "", time.Hour); err != nil || do(t, "GET", u.URL, nil, nil).status != http.StatusOK {
		t.Errorf("URL signed by another Local on the same root: %v", err)
	}
}

// withQuery returns rawURL with the query parameter set to value (deleted
// when value is empty).
func withQuery(t *testing.T, rawURL, param, value string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if value == "" {
		q.Del(param)
	} else {
		q.Set(param, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestTamperedURLsAreRefused(t *testing.T) {
	s := newServer(t)
	for _, k := range []string{"audio/u1/a.wav", "audio/u2/b.wav"} {
		if res := s.upload(t, k, "audio/wav", []byte(k)); res.status != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", k, res.status, res.body)
		}
	}
	get := s.signGet(t, "audio/u1/a.wav", "a.wav")
	up, err := s.SignPut(t.Context(), "audio/u1/new.wav", "audio/wav", 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(u string) string { q, _ := url.Parse(u); return q.Query().Get("X-Signature") }
	flipped := []byte(sig(get))
	flipped[0] ^= 1
	farFuture := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10)

	gets := map[string]string{
		"other key":                strings.Replace(get, "/u1/a.wav", "/u2/b.wav", 1),
		"traversal in path":        strings.Replace(get, "/audio/u1/a.wav", "/audio/u1/..%2F..%2Fu2/b.wav", 1),
		"later expiry":             withQuery(t, get, "X-Expires", farFuture),
		"flipped signature":        withQuery(t, get, "X-Signature", string(flipped)),
		"short signature":          withQuery(t, get, "X-Signature", sig(get)[:10]),
		"signature not hex":        withQuery(t, get, "X-Signature", "zz"+sig(get)[2:]),
		"other file name":          withQuery(t, get, "X-Filename", "evil.html"),
		"added content type":       withQuery(t, get, "X-Content-Type", "text/html"),
		"repeated parameter":       get + "&X-Filename=a.wav",
		"signature of another URL": withQuery(t, strings.Replace(get, "/u1/a.wav", "/u2/b.wav", 1), "X-Signature", sig(s.signGet(t, "audio/u2/b.wav", "b.wav"))),
	}
	for _, p := range []string{"X-Signature", "X-Expires", "X-Method"} {
		gets["no "+p] = withQuery(t, get, p, "")
	}
	for what, u := range gets {
		res := do(t, "GET", u, nil, nil)
		if res.status != http.StatusForbidden || !jsonError(res) {
			t.Errorf("GET with %s: %d %s, want 403", what, res.status, res.body)
		}
	}
	puts := map[string]string{
		"larger size":        withQuery(t, up.URL, "X-Max-Size", "1000"),
		"other content type": withQuery(t, up.URL, "X-Content-Type", "text/html"),
		"other key":          strings.Replace(up.URL, "/new.wav", "/b.wav", 1),
		"method GET":         withQuery(t, up.URL, "X-Method", "GET"),
	}
	for what, u := range puts {
		res := do(t, "PUT", u, strings.NewReader("0123456789"), map[string]string{"Content-Type": "text/html"})
		refused(t, "PUT with "+what, res, http.StatusForbidden, "SignatureDoesNotMatch")
	}
	if s.stored(t, "audio/u1/new.wav") {
		t.Error("a tampered PUT stored an object")
	}
	if b, _ := s.ReadHead(t.Context(), "audio/u2/b.wav", 100); string(b) != "audio/u2/b.wav" {
		t.Errorf("a tampered PUT overwrote another key: %q", b)
	}
}

func TestURLsAreBoundToTheirMethod(t *testing.T) {
	s := newServer(t)
	up, err := s.SignPut(t.Context(), "k", "text/plain", 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res := do(t, "PUT", up.URL, strings.NewReader("stored"), up.Headers); res.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	refused(t, "GET with a PUT URL", do(t, "GET", up.URL, nil, nil), http.StatusForbidden, "AccessDenied")
	if res := do(t, "HEAD", up.URL, nil, nil); res.status != http.StatusForbidden {
		t.Errorf("HEAD with a PUT URL: %d", res.status)
	}
	get := s.signGet(t, "k", "")
	refused(t, "PUT with a GET URL", do(t, "PUT", get, strings.NewReader("overwritten"), up.Headers), http.StatusForbidden, "AccessDenied")
	if b, _ := s.ReadHead(t.Context(), "k", 100); string(b) != "stored" {
		t.Errorf("PUT with a GET URL changed the object: %q", b)
	}
	for _, m := range []string{"POST", "DELETE", "PATCH"} {
		res := do(t, m, get, nil, nil)
		refused(t, m, res, http.StatusMethodNotAllowed, "MethodNotAllowed")
		if res.header.Get("Allow") != "GET, HEAD, PUT" {
			t.Errorf("%s: Allow %q", m, res.header.Get("Allow"))
		}
	}
	if !s.stored(t, "k") {
		t.Error("DELETE removed the object")
	}
}

func TestUploadWithAnotherContentTypeIsRefused(t *testing.T) {
	s := newServer(t)
	up, err := s.SignPut(t.Context(), "k", "audio/wav", 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/html", "audio/wav; charset=utf-8", "AUDIO/WAV", ""} {
		res := do(t, "PUT", up.URL, strings.NewReader("x"), map[string]string{"Content-Type": ct})
		refused(t, "PUT as "+strconv.Quote(ct), res, http.StatusForbidden, "SignatureDoesNotMatch")
	}
	if s.stored(t, "k") {
		t.Error("an upload with another content type was stored")
	}
}

func TestOversizeUploadIsRefused(t *testing.T) {
	s := newServer(t)
	up, err := s.SignPut(t.Context(), "k", "audio/wav", 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 11)
	refused(t, "PUT of 11 bytes with Content-Length", do(t, "PUT", up.URL, bytes.NewReader(big), up.Headers),
		http.StatusRequestEntityTooLarge, "EntityTooLarge")
	// Without a Content-Length the limit is enforced while reading.
	refused(t, "chunked PUT of 11 bytes", do(t, "PUT", up.URL, iotest.HalfReader(bytes.NewReader(big)), up.Headers),
		http.StatusRequestEntityTooLarge, "EntityTooLarge")
	refused(t, "chunked PUT of 1 MiB", do(t, "PUT", up.URL, io.MultiReader(bytes.NewReader(make([]byte, 1<<20))), up.Headers),
		http.StatusRequestEntityTooLarge, "EntityTooLarge")
	// A declared Content-Length over the limit is refused before reading:
	// the body never arrives (the pipe fails after a while, so a handler that
	// waits for it fails the test instead of hanging).
	pr, pw := io.Pipe()
	time.AfterFunc(5*time.Second, func() { pw.CloseWithError(errors.New("the body was awaited")) })
	req, err := http.NewRequestWithContext(t.Context(), "PUT", up.URL, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 1 << 40
	req.Header.Set("Content-Type", "audio/wav")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT declaring 1 TiB: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("PUT declaring 1 TiB: %d", res.StatusCode)
	}
	if s.stored(t, "k") {
		t.Fatal("an oversize upload was stored")
	}
	for _, n := range []int{10, 3} {
		if res := do(t, "PUT", up.URL, iotest.HalfReader(bytes.NewReader(big[:n])), up.Headers); res.status != http.StatusOK {
			t.Errorf("chunked PUT of %d bytes within the limit: %d %s", n, res.status, res.body)
		}
	}
}

func TestDownloadOfMissingKeyIsNotFound(t *testing.T) {
	s := newServer(t)
	refused(t, "GET of a missing key", do(t, "GET", s.signGet(t, "never/stored", ""), nil, nil), http.StatusNotFound, "NoSuchKey")
	if res := s.upload(t, "gone", "text/plain", []byte("x")); res.status != http.StatusOK {
		t.Fatal(res.body)
	}
	u := s.signGet(t, "gone", "")
	if err := s.Delete(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	refused(t, "GET of a deleted key", do(t, "GET", u, nil, nil), http.StatusNotFound, "NoSuchKey")
}

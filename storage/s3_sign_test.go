package storage_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
)

// send makes a plain net/http request of a signed URL and returns the
// response with its body read.
func send(t *testing.T, method, rawURL string, body []byte, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k != "Content-Length" { // net/http sends the body's length
			req.Header.Set(k, v)
		}
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
	return res, b
}

// A presigned PUT uploads with its signed headers; a presigned GET downloads
// the bytes as an attachment, through plain net/http.
func TestS3SignedPutThenGet(t *testing.T) {
	s := newS3(t, s3test.Start(t))
	ctx := t.Context()
	key := "audio/u1/1700000000000_song name.wav"
	data := []byte("RIFF\x24\x00\x00\x00WAVEfmt signed upload")
	up, err := s.SignPut(ctx, key, "audio/wav", int64(len(data)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Content-Type": "audio/wav", "Content-Length": "29"}
	if up.Method != http.MethodPut || len(up.Headers) != len(want) || up.Headers["Content-Type"] != want["Content-Type"] ||
		up.Headers["Content-Length"] != want["Content-Length"] {
		t.Errorf("SignPut = %+v, want PUT with headers %v", up, want)
	}
	if res, b := send(t, up.Method, up.URL, data, up.Headers); res.StatusCode != http.StatusOK {
		t.Fatalf("signed PUT: %d %s", res.StatusCode, b)
	}
	if info, err := s.Head(ctx, key); err != nil || info.Size != int64(len(data)) || info.ContentType != "audio/wav" {
		t.Errorf("after signed PUT: Head = %+v, %v", info, err)
	}

	for name, disposition := range map[string]string{
		"song.wav":                  `attachment; filename="song.wav"`,
		"":                          "attachment",
		`Sóng "live" 100%.wav`:      `attachment; filename="S_ng _live_ 100_.wav"; filename*=UTF-8''S%C3%B3ng%20%22live%22%20100%25.wav`,
		"日本語 mix;\r\nX-Evil: 1.wav": "",
	} {
		get, err := s.SignGet(ctx, key, name, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		res, b := send(t, get.Method, get.URL, nil, get.Headers)
		if res.StatusCode != http.StatusOK || !bytes.Equal(b, data) || res.Header.Get("Content-Type") != "audio/wav" {
			t.Errorf("signed GET (%q): %d, %d bytes, Content-Type %q", name, res.StatusCode, len(b), res.Header.Get("Content-Type"))
		}
		cd := res.Header.Get("Content-Disposition")
		if disposition != "" && cd != disposition {
			t.Errorf("signed GET (%q): Content-Disposition %q, want %q", name, cd, disposition)
		}
		if res.Header.Get("X-Evil") != "" {
			t.Errorf("signed GET (%q) injected a header", name)
		}
		if typ, params, err := mime.ParseMediaType(cd); name != "" && (err != nil || typ != "attachment" || params["filename"] != strings.ToValidUTF8(name, "\uFFFD")) {
			t.Errorf("signed GET (%q): Content-Disposition %q parses as %q %q (%v)", name, cd, typ, params["filename"], err)
		}
	}
}

// The service refuses a presigned PUT sent with another content type or
// length, and any URL whose key, query or signature was altered.
func TestS3SignedURLsRefuseTampering(t *testing.T) {
	s := newS3(t, s3test.Start(t))
	ctx := t.Context()
	key := "audio/u1/k.wav"
	data := []byte("0123456789")
	up, err := s.SignPut(ctx, key, "audio/wav", int64(len(data)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	headers := func(ct string) map[string]string {
		if ct == "" {
			return nil
		}
		return map[string]string{"Content-Type": ct}
	}
	for name, tc := range map[string]struct {
		url         string
		contentType string
		body        []byte
	}{
		"other content type": {up.URL, "audio/mpeg", data},
		"no content type":    {up.URL, "", data},
		"longer body":        {up.URL, "audio/wav", append(data, 'x')},
		"shorter body":       {up.URL, "audio/wav", data[:9]},
		"empty body":         {up.URL, "audio/wav", nil},
		"other key":          {strings.Replace(up.URL, "/k.wav?", "/k2.wav?", 1), "audio/wav", data},
		"other signature":    {tamperQuery(t, up.URL, "X-Amz-Signature", func(v string) string { return strings.Repeat("0", len(v)) }), "audio/wav", data},
		"longer expiry":      {tamperQuery(t, up.URL, "X-Amz-Expires", func(string) string { return "604800" }), "audio/wav", data},
	} {
		res, b := send(t, http.MethodPut, tc.url, tc.body, headers(tc.contentType))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("PUT with %s: %d %s, want 403", name, res.StatusCode, b)
		}
	}
	if _, err := s.Head(ctx, key); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused PUT stored an object: %v", err)
	}

	if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "audio/wav"); err != nil {
		t.Fatal(err)
	}
	get, err := s.SignGet(ctx, key, "k.wav", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]string{
		"other key":         strings.Replace(get.URL, "/k.wav?", "/k2.wav?", 1),
		"other signature":   tamperQuery(t, get.URL, "X-Amz-Signature", func(v string) string { return strings.Repeat("0", len(v)) }),
		"other disposition": tamperQuery(t, get.URL, "response-content-disposition", func(string) string { return "inline" }),
		"PUT on a GET URL":  get.URL,
	} {
		method := http.MethodGet
		if strings.HasPrefix(name, "PUT") {
			method = http.MethodPut
		}
		if res, b := send(t, method, u, nil, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", name, res.StatusCode, b)
		}
	}
}

// tamperQuery returns rawURL with query parameter name changed by edit.
func tamperQuery(t *testing.T, rawURL, name string, edit func(string) string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if !q.Has(name) {
		t.Fatalf("URL %s has no %s", rawURL, name)
	}
	q.Set(name, edit(q.Get(name)))
	u.RawQuery = q.Encode()
	return u.String()
}

// Presigned URLs stop working once their lifetime has passed.
func TestS3SignedURLsExpire(t *testing.T) {
	s := newS3(t, s3test.Start(t))
	ctx := t.Context()
	if err := s.Put(ctx, "k", strings.NewReader("x"), 1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	get, err := s.SignGet(ctx, "k", "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	up, err := s.SignPut(ctx, "k2", "text/plain", 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(get.Expires); d > time.Second || d < -time.Second {
		t.Errorf("a 1 s URL expires in %s", d)
	}
	last := get.Expires
	if up.Expires.After(last) {
		last = up.Expires
	}
	time.Sleep(time.Until(last) + 1100*time.Millisecond)
	if res, b := send(t, get.Method, get.URL, nil, get.Headers); res.StatusCode != http.StatusForbidden {
		t.Errorf("expired GET: %d %s, want 403", res.StatusCode, b)
	}
	if res, b := send(t, up.Method, up.URL, []byte("x"), up.Headers); res.StatusCode != http.StatusForbidden {
		t.Errorf("expired PUT: %d %s, want 403", res.StatusCode, b)
	}
}

// Lifetimes are whole seconds from 1 s to 7 days; a signed upload has a
// length, which SigV4 cannot sign when it is zero.
func TestS3SignArguments(t *testing.T) {
	s := newS3(t, s3test.Start(t))
	ctx := t.Context()
	for _, ttl := range []time.Duration{-time.Second, 0, 999 * time.Millisecond, 7*24*time.Hour + time.Second} {
		if _, err := s.SignGet(ctx, "k", "", ttl); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("SignGet with ttl %s: %v, want EINVALID", ttl, err)
		}
		if _, err := s.SignPut(ctx, "k", "", 1, ttl); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("SignPut with ttl %s: %v, want EINVALID", ttl, err)
		}
	}
	week := 7 * 24 * time.Hour
	before := time.Now().Truncate(time.Second)
	get, err := s.SignGet(ctx, "k", "", week)
	if err != nil || get.Expires.Before(before.Add(week)) || get.Expires.After(time.Now().Add(week)) {
		t.Errorf("SignGet for a week = %+v, %v", get, err)
	}
	if _, err := s.SignPut(ctx, "k", "audio/wav", 0, time.Hour); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("SignPut of 0 bytes: %v, want EINVALID", err)
	}
	if _, err := s.SignPut(ctx, "k", "not a type", 1, time.Hour); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("SignPut with an invalid content type: %v, want EINVALID", err)
	}
}

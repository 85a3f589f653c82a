package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/storage"
	"phonoglyph/storage/blobstest"
	"phonoglyph/storage/s3test"
)

// newS3 returns an S3 backend for cfg.
func newS3(t testing.TB, cfg storage.S3Config) *storage.S3 {
	t.Helper()
	s, err := storage.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recorder is an http.RoundTripper that records the requests of an S3
// client and answers those refuse selects with the 400 a server requiring
// Content-MD5 sends.
type recorder struct {
	refuse func(*http.Request) bool

	mu    sync.Mutex
	calls []*http.Request // without bodies
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec.mu.Lock()
	rec.calls = append(rec.calls, r.Clone(r.Context()))
	rec.mu.Unlock()
	if rec.refuse == nil || !rec.refuse(r) {
		return http.DefaultTransport.RoundTrip(r)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code>` +
		`<Message>Missing required header for this request: Content-MD5</Message></Error>`
	return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/xml"}}, ContentLength: int64(len(body)),
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// count returns how many recorded requests match.
func (rec *recorder) count(match func(*http.Request) bool) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, r := range rec.calls {
		if match(r) {
			n++
		}
	}
	return n
}

// reset forgets the recorded requests.
func (rec *recorder) reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls = nil
}

// Operations, as a recorder sees them.
func isUploadPart(r *http.Request) bool {
	return r.Method == http.MethodPut && r.URL.Query().Has("partNumber")
}

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("uploads")
}

func isAbort(r *http.Request) bool {
	return r.Method == http.MethodDelete && r.URL.Query().Has("uploadId")
}

func isComplete(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
}

func isDeleteObjects(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("delete")
}

// newRecordedS3 returns an S3 backend on a fresh versitygw server whose
// requests rec records.
func newRecordedS3(t *testing.T, rec *recorder, partSize int64) *storage.S3 {
	cfg := s3test.Start(t)
	cfg.HTTPClient = &http.Client{Transport: rec}
	cfg.PartSize = partSize
	return newS3(t, cfg)
}

func TestS3Contract(t *testing.T) {
	blobstest.Run(t, func(t *testing.T) storage.Blobs { return newS3(t, s3test.Start(t)) })
}

func TestR2Endpoint(t *testing.T) {
	if got := storage.R2Endpoint("acc123"); got != "https://acc123.r2.cloudflarestorage.com" {
		t.Errorf("R2Endpoint = %q", got)
	}
}

func TestNewS3RefusesBadConfig(t *testing.T) {
	good := storage.S3Config{Endpoint: "https://x.r2.cloudflarestorage.com", Bucket: "b", AccessKeyID: "a", SecretAccessKey: "s"}
	for name, edit := range map[string]func(*storage.S3Config){
		"endpoint without scheme": func(c *storage.S3Config) { c.Endpoint = "x.r2.cloudflarestorage.com" },
		"endpoint with a query":   func(c *storage.S3Config) { c.Endpoint += "?a=1" },
		"ftp endpoint":            func(c *storage.S3Config) { c.Endpoint = "ftp://host" },
		"no bucket":               func(c *storage.S3Config) { c.Bucket = "" },
		"no access key":           func(c *storage.S3Config) { c.AccessKeyID = "" },
		"no secret":               func(c *storage.S3Config) { c.SecretAccessKey = "" },
		"part size under 5 MiB":   func(c *storage.S3Config) { c.PartSize = 5<<20 - 1 },
		"part size over 5 GiB":    func(c *storage.S3Config) { c.PartSize = 5<<30 + 1 },
	} {
		cfg := good
		edit(&cfg)
		if _, err := storage.NewS3(t.Context(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := storage.NewS3(t.Context(), good); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// A body of unknown size, or larger than a part, goes up in equal parts read
// one at a time from a reader that cannot seek, over plain HTTP.
func TestS3MultipartNonSeekable(t *testing.T) {
	const partSize = 5 << 20
	rec := &recorder{}
	s := newRecordedS3(t, rec, partSize)
	ctx := t.Context()
	data := make([]byte, 20<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	for _, size := range []int64{int64(len(data)), -1} {
		rec.reset()
		body := struct{ io.Reader }{bytes.NewReader(data)} // hides Seek and ReadAt
		if err := s.Put(ctx, "audio/u/big.wav", body, size, "audio/wav"); err != nil {
			t.Fatalf("Put of 20 MiB, size %d: %v", size, err)
		}
		parts := rec.count(isUploadPart)
		full := rec.count(func(r *http.Request) bool { return isUploadPart(r) && r.ContentLength == partSize })
		if parts != 4 || full != 4 || rec.count(isComplete) != 1 {
			t.Errorf("size %d: %d parts, %d of %d bytes, %d completions; want 4 full parts, 1 completion", size, parts, full, partSize, rec.count(isComplete))
		}
		rc, info, err := s.Open(ctx, "audio/u/big.wav")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) || info.Size != int64(len(data)) || info.ContentType != "audio/wav" {
			t.Errorf("size %d: read back %d bytes (equal: %t), info %+v, %v", size, len(got), bytes.Equal(got, data), info, err)
		}
	}

	// The last part may be shorter; a body up to one part is one PutObject.
	rec.reset()
	odd := data[:2*partSize+12345]
	if err := s.Put(ctx, "odd", struct{ io.Reader }{bytes.NewReader(odd)}, -1, ""); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(isUploadPart); n != 3 {
		t.Errorf("Put of 2 parts + 12345 bytes sent %d parts", n)
	}
	if got, err := s.ReadHead(ctx, "odd", len(odd)+1); err != nil || !bytes.Equal(got, odd) {
		t.Errorf("odd-sized multipart object reads back %d bytes, %v", len(got), err)
	}
	rec.reset()
	if err := s.Put(ctx, "one", struct{ io.Reader }{bytes.NewReader(data[:partSize])}, -1, ""); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(isUploadPart); n != 0 {
		t.Errorf("Put of exactly one part size used %d parts", n)
	}

	// A body longer or shorter than declared is refused once a multipart
	// upload has begun: the upload is aborted and nothing is stored.
	for name, body := range map[string]io.Reader{
		"one byte more":   io.MultiReader(bytes.NewReader(data), strings.NewReader("x")),
		"a part and less": io.MultiReader(bytes.NewReader(data[:len(data)-partSize-1])),
	} {
		rec.reset()
		err := s.Put(ctx, "bad", body, int64(len(data)), "")
		if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("%s than declared: %v, want EINVALID", name, err)
		}
		if rec.count(isCreate) != 1 || rec.count(isAbort) != 1 || rec.count(isComplete) != 0 {
			t.Errorf("%s than declared: %d multipart uploads, %d aborts, %d completions; want 1 upload, aborted",
				name, rec.count(isCreate), rec.count(isAbort), rec.count(isComplete))
		}
		if _, err := s.Head(ctx, "bad"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s than declared: stored an object (%v)", name, err)
		}
	}
}

// DeletePrefix and ListOlder page through more than 1000 keys.
func TestS3ManyKeys(t *testing.T) {
	const n = 1005
	rec := &recorder{}
	s := newRecordedS3(t, rec, 0)
	ctx := t.Context()
	keys := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for k := range keys {
				if err := s.Put(ctx, k, strings.NewReader("x"), 1, ""); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range n {
		keys <- fmt.Sprintf("many/%04d", i)
	}
	close(keys)
	wg.Wait()
	if err := s.Put(ctx, "kept", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	countOld := func() int {
		c := 0
		if err := s.ListOlder(ctx, "many", time.Now().Add(time.Hour), func(storage.Info) error { c++; return nil }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := countOld(); c != n {
		t.Errorf("ListOlder listed %d of %d objects", c, n)
	}
	rec.reset()
	if err := s.DeletePrefix(ctx, "many"); err != nil {
		t.Fatal(err)
	}
	if c := rec.count(isDeleteObjects); c != 2 {
		t.Errorf("DeletePrefix of %d keys sent %d DeleteObjects requests, want 2", n, c)
	}
	if c := countOld(); c != 0 {
		t.Errorf("%d objects left after DeletePrefix", c)
	}
	if _, err := s.Head(ctx, "kept"); err != nil {
		t.Errorf("DeletePrefix(many) removed kept: %v", err)
	}
}

// When the server refuses DeleteObjects for want of Content-MD5, DeletePrefix
// deletes key by key, and does not try DeleteObjects again.
func TestS3DeletePrefixFallsBackToSingleDeletes(t *testing.T) {
	rec := &recorder{refuse: isDeleteObjects}
	s := newRecordedS3(t, rec, 0)
	ctx := t.Context()
	for round := range 2 {
		for _, k := range []string{"p/1", "p/q/2", "p/3", "other"} {
			if err := s.Put(ctx, k, strings.NewReader(k), int64(len(k)), ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeletePrefix(ctx, "p"); err != nil {
			t.Fatalf("round %d: DeletePrefix: %v", round, err)
		}
		for _, k := range []string{"p/1", "p/q/2", "p/3"} {
			if _, err := s.Head(ctx, k); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("round %d: %s survived DeletePrefix: %v", round, k, err)
			}
		}
		if _, err := s.Head(ctx, "other"); err != nil {
			t.Errorf("round %d: DeletePrefix(p) removed other: %v", round, err)
		}
	}
	if c := rec.count(isDeleteObjects); c != 1 {
		t.Errorf("DeleteObjects tried %d times, want once", c)
	}
}

// Check tells a missing bucket, rejected credentials and an unreachable
// endpoint apart.
func TestS3Check(t *testing.T) {
	cfg := s3test.Start(t)
	if err := newS3(t, cfg).Check(t.Context()); err != nil {
		t.Errorf("Check of a working config: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	for name, tc := range map[string]struct {
		edit func(*storage.S3Config)
		want string
	}{
		"missing bucket": {func(c *storage.S3Config) { c.Bucket = "absent-bucket" }, `bucket "absent-bucket" does not exist`},
		"wrong secret":   {func(c *storage.S3Config) { c.SecretAccessKey += "x" }, "credentials rejected"},
		"unknown key":    {func(c *storage.S3Config) { c.AccessKeyID = "nobody" }, "credentials rejected"},
		"closed port":    {func(c *storage.S3Config) { c.Endpoint = closed }, "cannot reach endpoint " + closed},
	} {
		c := cfg
		tc.edit(&c)
		err := newS3(t, c).Check(t.Context())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want an error saying %q", name, err, tc.want)
		}
		if tc.want == "credentials rejected" && !strings.Contains(err.Error(), "CLOUDFLARE_R2_SECRET_ACCESS_KEY") {
			t.Errorf("%s: Check = %v, want the variables to check", name, err)
		}
	}
	// A missing bucket or an unknown access key is not a missing object.
	for _, edit := range []func(*storage.S3Config){
		func(c *storage.S3Config) { c.Bucket = "absent-bucket" },
		func(c *storage.S3Config) { c.AccessKeyID = "nobody" },
	} {
		c := cfg
		edit(&c)
		if _, _, err := newS3(t, c).Open(t.Context(), "k"); err == nil || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Open with %+v: %v, want an error other than ErrNotFound", c, err)
		}
	}
}

// Open streams: reading the start of a large object has not downloaded it.
func TestS3OpenStreams(t *testing.T) {
	var received atomic.Int64
	cfg := s3test.Start(t)
	cfg.HTTPClient = &http.Client{Transport: countingTransport{&received}}
	s := newS3(t, cfg)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	if err := s.Put(t.Context(), "k", bytes.NewReader(data), int64(len(data)), ""); err != nil {
		t.Fatal(err)
	}
	rc, info, err := s.Open(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 16)
	if _, err := io.ReadFull(rc, buf); err != nil || string(buf) != "0123456789abcdef" || info.Size != int64(len(data)) {
		t.Fatalf("first bytes %q, %v; info %+v", buf, err, info)
	}
	if n := received.Load(); n > 1<<20 {
		t.Errorf("reading 16 bytes of a 16 MiB object received %d bytes", n)
	}
}

// countingTransport counts the response body bytes the client reads.
type countingTransport struct{ n *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		res.Body = countingBody{res.Body, c.n}
	}
	return res, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// ReadHead of an empty object (a 416 to the ranged GET) is empty.
func TestS3ReadHeadEmpty(t *testing.T) {
	s := newS3(t, s3test.Start(t))
	if err := s.Put(t.Context(), "empty", strings.NewReader(""), 0, ""); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 512} {
		if b, err := s.ReadHead(t.Context(), "empty", n); err != nil || len(b) != 0 {
			t.Errorf("ReadHead(empty, %d) = %q, %v", n, b, err)
		}
	}
	if _, err := s.ReadHead(t.Context(), "k", -1); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("ReadHead(-1): %v, want EINVALID", err)
	}
}

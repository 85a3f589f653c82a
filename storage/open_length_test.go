package storage_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
)

// A URL signed with a negative size accepts a body of any length, on both
// backends: workers upload stems whose size they cannot know in advance.
func TestSignPutOpenLength(t *testing.T) {
	ctx := context.Background()
	local := func(t *testing.T) storage.Blobs {
		var h http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		l, err := storage.NewLocal(t.TempDir(), srv.URL+"/blobs", []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		h = http.StripPrefix("/blobs", l.Handler())
		return l
	}
	s3 := func(t *testing.T) storage.Blobs {
		b, err := storage.NewS3(ctx, s3test.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for name, open := range map[string]func(*testing.T) storage.Blobs{"local": local, "s3": s3} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			for i, body := range [][]byte{bytes.Repeat([]byte("a"), 10), bytes.Repeat([]byte("b"), 70000)} {
				key := "stems/u/j/" + string(rune('a'+i)) + ".wav"
				u, err := b.SignPut(ctx, key, "audio/wav", -1, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest(http.MethodPut, u.URL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "audio/wav")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("PUT %d bytes: %d", len(body), res.StatusCode)
				}
				if info, err := b.Head(ctx, key); err != nil || info.Size != int64(len(body)) {
					t.Errorf("stored %+v, %v; want %d bytes", info, err, len(body))
				}
			}
		})
	}
}

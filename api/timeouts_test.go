package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"phonoglyph/api"
	"phonoglyph/storage"
)

// timeoutServer serves the API with short API deadlines and long blob ones.
// It is not behind the contract validator (apitest): the validator reads
// each request body whole before the API sees it, so no deadline could be
// observed through it.
func timeoutServer(t *testing.T) (*httptest.Server, *storage.Local) {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	local, err := storage.NewLocal(t.TempDir(), srv.URL+"/blobs", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	h = api.New(api.Options{Log: discardLog(), Environment: "development", MaxBodySize: 1 << 20, BlobHTTP: local.Handler(),
		Timeouts: api.Timeouts{Read: 300 * time.Millisecond, Write: 5 * time.Second, BlobRead: 20 * time.Second, BlobWrite: 20 * time.Second}})
	return srv, local
}

// A client that sends its body slowly is cut off at the read deadline (300
// slow-body connections stayed open).
func TestSlowBodyIsCutOff(t *testing.T) {
	srv, _ := timeoutServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /test HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		res.Body.Close()
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server still waits for the body after %s", time.Since(start).Round(time.Millisecond))
	}
	if err == nil && res.StatusCode < 400 {
		t.Errorf("slow body answered %d", res.StatusCode)
	}
}

// A blob transfer slower than an API request's deadline still finishes.
func TestSlowBlobUploadFinishes(t *testing.T) {
	_, local := timeoutServer(t)
	data := bytes.Repeat([]byte("x"), 2000)
	up, err := local.SignPut(t.Context(), "audio/u1/slow.wav", "audio/wav", int64(len(data)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.Write(data[:1000])
		time.Sleep(time.Second) // beyond the API's 300 ms read deadline
		pw.Write(data[1000:])
		pw.Close()
	}()
	req, err := http.NewRequest(up.Method, up.URL, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	for k, v := range up.Headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("slow blob PUT: %d %s", res.StatusCode, body)
	}
}

//go:build chaos

package chaos

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// dispatches counts the external submissions made for each of our job ids,
// as seen on the wire between the workers and a stand-in.
type dispatches struct {
	mu   sync.Mutex
	byID map[string]int
}

func (d *dispatches) counts() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]int, len(d.byID))
	for k, v := range d.byID {
		out[k] = v
	}
	return out
}

var (
	// A RunPod /run carries the stems' presigned PUT URLs, whose keys are
	// stems/{user}/{job}/{stem}.{format}.
	stemJobInURL = regexp.MustCompile(`stems/[0-9a-f-]{36}/([0-9a-f-]{36})/`)
	// A Lambda start carries the analysis URL, whose key is
	// analysis/{user}/renders/{render}.json.
	renderInURL = regexp.MustCompile(`renders/([0-9a-f-]{36})\.json`)
)

// countingProxy serves a reverse proxy to target that counts, for every
// request that submits work (isSubmit) and is accepted (2xx), the job ids
// re finds in its body, once per request.
func countingProxy(t *testing.T, target string, isSubmit func(*http.Request) bool, re *regexp.Regexp) (string, *dispatches) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	d := &dispatches{byID: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isSubmit(r) {
			proxy.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusWriter{ResponseWriter: w}
		proxy.ServeHTTP(rec, r)
		if rec.status/100 != 2 {
			return
		}
		seen := map[string]bool{}
		for _, m := range re.FindAllStringSubmatch(string(body), -1) {
			seen[m[1]] = true
		}
		d.mu.Lock()
		for id := range seen {
			d.byID[id]++
		}
		d.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, d
}

// isRunPodRun matches POST /{endpoint}/run.
func isRunPodRun(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/run")
}

// isLambdaInvoke matches the Lambda Invoke API; only start payloads carry
// an analysis URL.
func isLambdaInvoke(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/invocations")
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Package runpodtest runs a stand-in for a RunPod serverless endpoint that
// speaks the documented protocol and really separates, as the GPU worker
// described in package runpod does.
//
// A job stays IN_QUEUE for Options.QueueDelay, then goes IN_PROGRESS: it
// downloads audio_url, reports progress ({"stage", "pct"}) over
// Options.RunTime, calls Options.Separate, PUTs each stem to its presigned
// URL with Content-Type runpod.ContentType(format) and a Content-Length, and
// ends COMPLETED with {"stems": {name: {"bytes": n}}}. A failure on the way
// ends it FAILED with the error as RunPod reports a handler exception. A job
// whose policy.ttl passes before it ends is TIMED_OUT, as is one IN_PROGRESS
// longer than policy.executionTimeout. /status answers 404 once the ttl has
// passed or Options.Retention after the job ended. /cancel, /retry (from
// FAILED or TIMED_OUT only), /health and /purge-queue work as documented;
// /runsync, /stream and webhooks are not served.
//
// With Options.Worker the stand-in neither downloads, separates nor uploads:
// the worker runs each IN_PROGRESS job, as the GPU worker behind a real
// endpoint does, and the stand-in relays what it reports the way RunPod
// does: each progress_update value as the job's output while it runs, then
// its result (see Worker). Queueing, timeouts, ttl, cancel and retry stay as
// above. Process runs a handler process per job; the end-to-end test in
// package runpod runs the real handler of runpod/worker so.
//
// It deviates from RunPod only where tests need it: any positive
// executionTimeout and ttl are accepted (RunPod's minimums are 5 s and 10 s),
// and, without a Worker, the input is checked against our contract at
// submission, answering 400, where the real endpoint would accept it and the
// handler fail the job.
package runpodtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"phonoglyph/runpod"
)

// Defaults of Options.
const (
	DefaultAPIKey     = "runpodtest-key"
	DefaultEndpointID = "runpodtest-endpoint"
	DefaultRetention  = 30 * time.Minute
)

// Options configure a Server; the zero value works.
type Options struct {
	// APIKey is the only key accepted, DefaultAPIKey when empty.
	APIKey string
	// EndpointID is the only endpoint served, DefaultEndpointID when empty.
	EndpointID string
	// Separate turns the source into stems; it must return every stem in
	// in.Stems and give up when ctx is done. Split when nil. Unused with a
	// Worker.
	Separate func(ctx context.Context, in runpod.Input, audio []byte) (map[string][]byte, error)
	// Worker, when set, runs each job in place of the stand-in's own
	// download, separation and upload, as a GPU worker behind a real
	// endpoint does (Process runs a handler process); the input then goes
	// to it unchecked.
	Worker Worker
	// QueueDelay is how long a job stays IN_QUEUE.
	QueueDelay time.Duration
	// RunTime is how long separating takes while IN_PROGRESS, spread over
	// progress updates. Unused with a Worker.
	RunTime time.Duration
	// Retention is how long /status answers for a finished job before 404,
	// DefaultRetention when zero.
	Retention time.Duration
}

// Server is a RunPod serverless endpoint on httptest speaking the
// documented protocol.
type Server struct {
	// URL is the API root to use as runpod.Config.BaseURL (<server>/v2).
	URL string

	t      testing.TB
	opt    Options
	ctx    context.Context // done when the test ends, stopping every job
	client *http.Client    // downloads sources and uploads stems
	wg     sync.WaitGroup  // job goroutines

	mu         sync.Mutex
	closed     bool // no job may start: the test has ended
	jobs       map[string]*job
	runs       int // accepted /run submissions
	retried    int // accepted /retry requests
	failN      int // requests still to answer failStatus
	failStatus int
}

// Start runs a Server until the test ends; its jobs stop then too.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.APIKey == "" {
		opt.APIKey = DefaultAPIKey
	}
	if opt.EndpointID == "" {
		opt.EndpointID = DefaultEndpointID
	}
	if opt.Separate == nil {
		opt.Separate = Split
	}
	if opt.Retention == 0 {
		opt.Retention = DefaultRetention
	}
	ctx, cancel := context.WithCancel(context.Background())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	s := &Server{
		t:      t,
		opt:    opt,
		ctx:    ctx,
		client: &http.Client{Transport: transport},
		jobs:   map[string]*job{},
	}
	mux := http.NewServeMux()
	mux.Handle("POST /v2/{endpoint}/run", s.api(s.run))
	mux.Handle("GET /v2/{endpoint}/status/{id}", s.api(s.status))
	mux.Handle("POST /v2/{endpoint}/cancel/{id}", s.api(s.cancel))
	mux.Handle("POST /v2/{endpoint}/retry/{id}", s.api(s.retry))
	mux.Handle("GET /v2/{endpoint}/health", s.api(s.health))
	mux.Handle("POST /v2/{endpoint}/purge-queue", s.api(s.purgeQueue))
	srv := httptest.NewServer(mux)
	s.URL = srv.URL + "/v2"
	t.Cleanup(func() {
		s.mu.Lock()
		s.closed = true
		for _, j := range s.jobs {
			j.stopTimers()
		}
		s.mu.Unlock()
		cancel()
		s.wg.Wait()
		srv.Close()
		transport.CloseIdleConnections()
	})
	return s
}

// Config returns a client configuration for the server.
func (s *Server) Config() runpod.Config {
	return runpod.Config{BaseURL: s.URL, EndpointID: s.opt.EndpointID, APIKey: s.opt.APIKey}
}

// FailNext makes the next n requests answer status (such as 429 or 500)
// before anything else is checked; a 429 carries Retry-After: 1.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// FailJob ends job id FAILED now with msg as its error string: plain, as
// when a handler returns {"error": msg}, or the JSON of an exception. The
// job must be queued or running.
func (s *Server) FailJob(id string, msg string) {
	s.t.Helper()
	s.endJob(id, runpod.StateFailed, nil, msg)
}

// CompleteWithError ends job id COMPLETED now with the output
// {"error": msg}, as RunPod reports a handler that returned an error with
// some SDK versions. The job must be queued or running.
func (s *Server) CompleteWithError(id string, msg string) {
	s.t.Helper()
	s.endJob(id, runpod.StateCompleted, map[string]string{"error": msg}, "")
}

func (s *Server) endJob(id, state string, output any, msg string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		s.t.Errorf("runpodtest: no job %s to end %s", id, state)
		return
	}
	if terminal(j.state) {
		s.t.Errorf("runpodtest: job %s cannot end %s: it is %s already", id, state, j.state)
		return
	}
	j.end(state, output, msg)
}

// Runs returns how many /run submissions were accepted.
func (s *Server) Runs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs
}

// Updates returns every progress value the Worker of job id reported in
// its current attempt, in order; /status shows only the latest.
func (s *Server) Updates(id string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		return slices.Clone(j.updates)
	}
	return nil
}

// Job returns the state of job id as the endpoint last knew it, also after
// /status stopped answering for it; ok is false for an id never accepted or
// purged from the queue.
func (s *Server) Job(id string) (state string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return "", false
	}
	return j.state, true
}

// api wraps a handler of the endpoint with what every request goes
// through: injected failures, then authentication, then the endpoint id.
func (s *Server) api(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := s.injectedFailure(); code != 0 {
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			writeError(w, code, http.StatusText(code))
			return
		}
		// RunPod's documentation shows both forms.
		if auth := r.Header.Get("Authorization"); auth != "Bearer "+s.opt.APIKey && auth != s.opt.APIKey {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if r.PathValue("endpoint") != s.opt.EndpointID {
			writeError(w, http.StatusNotFound, "endpoint not found")
			return
		}
		h(w, r)
	})
}

// injectedFailure returns the status FailNext asked for, 0 when none.
func (s *Server) injectedFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return 0
	}
	s.failN--
	return s.failStatus
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

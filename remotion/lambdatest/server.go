// Package lambdatest runs a stand-in for a Remotion Lambda render function
// behind the AWS Lambda Invoke API, so that tests drive the real
// aws-sdk-go-v2 client end to end without AWS.
//
// The stand-in answers POST /2015-03-31/functions/{name}/invocations like
// Lambda (unknown function 404 ResourceNotFoundException, payload over 6 MB
// 413 RequestEntityTooLargeException, Event 202, DryRun 204, injected
// throttling 429 TooManyRequestsException and runtime crashes with
// X-Amz-Function-Error: Unhandled) and runs Remotion's start and status
// routines like the deployed function: version pinning, in-band
// {"type":"error"} answers, progress growing over Options.RenderTime, and
// injected render errors, fatal or retried.
//
// Outputs are served by the stand-in itself: a finished render's
// outputFile is {URL}/{bucket}/renders/{id}/{outName}, fetched with a plain
// GET (no credentials; 404 NoSuchKey until done, 403 AccessDenied for a
// private render), with the Content-Type of the codec and the
// Content-Disposition the start payload's downloadBehavior asks for.
package lambdatest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"phonoglyph/remotion"
)

// Defaults of Options.
const (
	defaultFrames = 600 // 10 s at 60 fps
	defaultBucket = "remotionlambda-useast1-lambdatest"
)

// Options configures a stand-in.
type Options struct {
	// FunctionName is the only function that exists, the original's
	// remotion.FunctionName(3008, 2048, 600) when empty. An ARN ending in
	// ":function:" + FunctionName names it too.
	FunctionName string
	// Version is the Remotion version deployed, remotion.Version when
	// empty; payloads of any other version get "Version mismatch".
	Version string
	// Frames is the length of every composition, 600 when zero.
	Frames int
	// RenderTime is how long a render takes: its progress goes from 0 to 1
	// over it. Zero finishes renders by their first status.
	RenderTime time.Duration
	// Output returns the bytes of a render's output; when nil, a small
	// stand-in MP4 naming the render.
	Output func(renderID string) []byte
}

// Server is a running stand-in, stopped when the test ends.
type Server struct {
	// URL is the Lambda endpoint, for remotion.Config.Endpoint; outputs are
	// served under it too.
	URL string
	// Bucket is the bucket renders go to when the start payload names none.
	Bucket string

	t   testing.TB
	opt Options

	mu       sync.Mutex
	renders  map[string]*render
	throttle int // invocations still to throttle
	crash    int // invocations still to crash
	starts   int // successful start invocations
}

// Start runs a stand-in configured by opt until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.FunctionName == "" {
		opt.FunctionName = remotion.FunctionName(3008, 2048, 600)
	}
	if opt.Version == "" {
		opt.Version = remotion.Version
	}
	if opt.Frames == 0 {
		opt.Frames = defaultFrames
	}
	if opt.Output == nil {
		opt.Output = defaultOutput
	}
	s := &Server{Bucket: defaultBucket, t: t, opt: opt, renders: map[string]*render{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.invoke)
	mux.HandleFunc("GET /{bucket}/renders/{id}/{file...}", s.output)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Throttle makes the next n synchronous invocations fail with 429
// TooManyRequestsException "Rate Exceeded.", as Lambda does at its
// concurrency limit.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// Crash makes the next n synchronous invocations fail in the runtime: HTTP
// 200 with X-Amz-Function-Error: Unhandled and
// {"errorType":"Runtime.ExitError","errorMessage":...}. A crashed start
// starts no render.
func (s *Server) Crash(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crash = n
}

// FailRender adds an error with message msg to render renderID. A fatal
// error stops the render where it is (fatalErrorEncountered, never done);
// another is retried and the render goes on. An unknown render fails the
// test.
func (s *Server) FailRender(renderID, msg string, fatal bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.renders[renderID]
	if r == nil {
		s.t.Fatalf("lambdatest: FailRender: no render %q", renderID)
		return
	}
	r.fail(time.Now(), s.opt, msg, fatal)
}

// Starts returns how many start invocations succeeded, each starting one
// render.
func (s *Server) Starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// Props returns the input props render renderID was started with, as the
// JSON the envelope carried, or nil for an unknown render.
func (s *Server) Props(renderID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.renders[renderID]; r != nil {
		return r.props
	}
	return nil
}

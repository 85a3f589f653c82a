package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"phonoglyph/apitest"
	"phonoglyph/eventually"
	"phonoglyph/tracing"
	"phonoglyph/wavtest"
)

// TestOneTraceFromRequestToJob uploads a file through the real API with a
// caller's traceparent and works its analysis: the request's span continues
// the caller's trace, and the job's work span, on the worker, is in that
// same trace, a descendant of the request that enqueued it.
func TestOneTraceFromRequestToJob(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	sys := apitest.Start(t, apitest.Options{Tracing: tracing.New(tp)})
	sys.StartWorkers()

	caller := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	header := http.Header{"Traceparent": {caller}}
	sys.Upload(sys.Token(), wavtest.Sine(44100, 1, 2, 440, 0.5), header)

	var work sdktrace.ReadOnlySpan
	eventually.True(t, 60*time.Second, "the analysis's work span ends", func() bool {
		for _, s := range rec.Ended() {
			if s.Name() == "river.work/audio_analysis" {
				work = s
				return true
			}
		}
		return false
	})
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var complete sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		byID[s.SpanContext().SpanID()] = s
		if s.Name() == "POST /api/v1/files/:id/complete" {
			complete = s
		}
	}
	if complete == nil {
		t.Fatal("no span for POST /api/v1/files/:id/complete")
	}
	if got := complete.SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("the request's span is in trace %s, not the caller's", got)
	}
	if work.SpanContext().TraceID() != complete.SpanContext().TraceID() {
		t.Fatalf("the job's work span is in trace %s, the request's in %s", work.SpanContext().TraceID(), complete.SpanContext().TraceID())
	}
	// Up the parents from the work span: River's insert, then the request.
	var chain []string
	for s := work; s != nil; s = byID[s.Parent().SpanID()] {
		chain = append(chain, s.Name())
		if s == complete {
			break
		}
	}
	if len(chain) < 2 || chain[len(chain)-1] != complete.Name() {
		t.Errorf("parents of the work span: %q, want them to reach %q", chain, complete.Name())
	}
	if len(work.Links()) != 1 || work.Links()[0].SpanContext.TraceID() != complete.SpanContext().TraceID() {
		t.Errorf("the work span's links %v do not point at the inserting trace", work.Links())
	}
}

// TestSpansArePostedToTheEndpoint turns tracing on with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local server and serves one
// request: at shutdown its span is POSTed to /v1/traces as OTLP protobuf.
func TestSpansArePostedToTheEndpoint(t *testing.T) {
	var (
		mu    sync.Mutex
		posts []string
		sizes []int
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		sizes = append(sizes, len(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	tr, err := tracing.Setup(context.Background(), collector.URL, "phonoglyph-test")
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(tr.Echo())
	e.GET("/things/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/things/42", nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("GET /things/42: %d", rec.Code)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) == 0 {
		t.Fatal("no spans were exported")
	}
	for i, p := range posts {
		if p != "POST /v1/traces application/x-protobuf" || sizes[i] == 0 {
			t.Errorf("export %d: %q with %d bytes, want a POST of OTLP protobuf to /v1/traces", i, p, sizes[i])
		}
	}
}

// TestOffWithoutAnEndpoint shows tracing is off, with no middleware at all,
// when OTEL_EXPORTER_OTLP_ENDPOINT is unset.
func TestOffWithoutAnEndpoint(t *testing.T) {
	tr, err := tracing.Setup(context.Background(), "", "phonoglyph-test")
	if err != nil {
		t.Fatal(err)
	}
	if tr != nil || tr.Echo() != nil || tr.River() != nil || tr.Shutdown(context.Background()) != nil {
		t.Errorf("tracing without an endpoint: %v, want nil with no middleware", tr)
	}
}

// Package tracing is the optional OpenTelemetry tracing of the processes:
// a span per HTTP request, and River's insert and work spans (otelriver),
// joined so that one trace runs from the request that enqueues a job to
// the job's work on whichever worker takes it. It is on only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, exporting over OTLP/HTTP; otherwise
// no middleware is installed at all, so it costs nothing.
package tracing

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

const name = "phonoglyph/tracing"

// propagator reads and writes W3C trace context, in HTTP headers and in
// River job metadata alike (otelriver writes traceparent there).
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Tracing traces a process's requests and jobs. A nil *Tracing traces
// nothing: its middleware are nil and Shutdown does nothing.
type Tracing struct {
	provider trace.TracerProvider
	shutdown func(context.Context) error
}

// Setup returns the process's tracing when endpoint (the value of
// OTEL_EXPORTER_OTLP_ENDPOINT) is set, else nil. The exporter reads the
// standard OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers,
// timeout), the sampler OTEL_TRACES_SAMPLER, and OTEL_SERVICE_NAME replaces
// service as the service's name. It also becomes the global provider and
// propagator, for libraries that use them. The binary's name (api, worker)
// tells the processes apart (process.executable.name).
func Setup(ctx context.Context, endpoint, service string) (*Tracing, error) {
	if endpoint == "" {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost(), resource.WithProcessExecutableName())
	if err != nil {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagator)
	return &Tracing{provider: tp, shutdown: tp.Shutdown}, nil
}

// New traces with tp (a test's provider, recording spans in memory).
func New(tp trace.TracerProvider) *Tracing { return &Tracing{provider: tp} }

// Shutdown exports the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// Echo is the middleware that starts a server span per request, named by
// its method and route template and continuing a trace the caller sent in
// traceparent; nil when t is nil.
func (t *Tracing) Echo() echo.MiddlewareFunc {
	if t == nil {
		return nil
	}
	tracer := t.provider.Tracer(name)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			route := c.Path()
			ctx, span := tracer.Start(ctx, r.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route)))
			defer span.End()
			c.SetRequest(r.WithContext(ctx))
			err := next(c)
			status := c.Response().Status
			span.SetAttributes(attribute.Int("http.response.status_code", status))
			if status >= 500 {
				span.SetStatus(codes.Error, "")
			}
			return err
		}
	}
}

// River is the job client's middleware: otelriver's insert and work spans
// (and its trace context in the job's metadata), with the work span made a
// child of the span that inserted the job, so both share one trace.
// otelriver alone only links the two; nil when t is nil.
func (t *Tracing) River() []rivertype.Middleware {
	if t == nil {
		return nil
	}
	return []rivertype.Middleware{&parentFromMetadata{}, otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
		// otelriver's metrics go to the global meter provider, which this
		// system never sets (the metrics are Prometheus', package metrics):
		// they are dropped.
		TracerProvider: t.provider, EnableTracePropagation: true, EnableWorkSpanJobKindSuffix: true,
	})}
}

// parentFromMetadata puts the trace context otelriver stored in a job's
// metadata at insert into the work's context, before otelriver starts the
// work span, which so continues the inserting trace.
type parentFromMetadata struct{ river.MiddlewareDefaults }

func (*parentFromMetadata) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	var carrier struct {
		TraceParent string `json:"traceparent"`
		TraceState  string `json:"tracestate"`
	}
	if json.Unmarshal(job.Metadata, &carrier) == nil && carrier.TraceParent != "" {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": carrier.TraceParent, "tracestate": carrier.TraceState})
	}
	return doInner(ctx)
}

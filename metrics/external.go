package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/prometheus/client_golang/prometheus"
)

// External services, the service label of external calls.
const (
	ServiceRunPod = "runpod"
	ServiceLambda = "lambda"
	ServiceS3     = "s3"
)

// Outcomes of an external call.
const (
	CallOK          = "ok"           // 1xx–3xx
	CallClientError = "client_error" // 4xx: refused, not found, throttled
	CallServerError = "server_error" // 5xx
	CallError       = "error"        // no answer: connection refused, reset, timeout
	CallCancelled   = "cancelled"    // the caller's context ended first
)

var (
	externalCalls = factory.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "external_requests_total",
		Help: "HTTP requests to external services (RunPod, Lambda, S3), by service, operation and outcome."},
		[]string{"service", "operation", "outcome"})
	externalDuration = factory.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "external_request_duration_seconds",
		Help:    "Time from sending a request to an external service to its answer's headers, by service, operation and outcome.",
		Buckets: latencyBuckets}, []string{"service", "operation", "outcome"})
)

// Operation names the operation of an outgoing request, for the operation
// label; it must come from a small fixed set (no ids).
type Operation func(*http.Request) string

// Client returns an HTTP client whose requests to service are counted and
// timed, with timeout bounding each (0: none). The AWS SDK's operation name
// (PutObject, Invoke…) labels its requests; op names the others (nil:
// the method).
func Client(service string, op Operation, timeout time.Duration) *http.Client {
	return &http.Client{Transport: Transport(service, op, http.DefaultTransport), Timeout: timeout}
}

// AWSClient is Client for the AWS SDK (S3, Lambda): the SDK's own default
// transport, counted and timed, its requests labelled with the SDK's
// operation names.
func AWSClient(service string) *http.Client {
	return &http.Client{Transport: Transport(service, nil, awshttp.NewBuildableClient().GetTransport())}
}

// Transport counts and times every request through next.
func Transport(service string, op Operation, next http.RoundTripper) http.RoundTripper {
	return &transport{service: service, op: op, next: next}
}

type transport struct {
	service string
	op      Operation
	next    http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.next.RoundTrip(r)
	outcome := CallOK
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || r.Context().Err() == context.Canceled):
		outcome = CallCancelled
	case err != nil:
		outcome = CallError
	case res.StatusCode >= 500:
		outcome = CallServerError
	case res.StatusCode >= 400:
		outcome = CallClientError
	}
	op := awsmiddleware.GetOperationName(r.Context())
	if op == "" && t.op != nil {
		op = t.op(r)
	}
	if op == "" {
		op = r.Method
	}
	externalCalls.WithLabelValues(t.service, op, outcome).Inc()
	externalDuration.WithLabelValues(t.service, op, outcome).Observe(time.Since(start).Seconds())
	return res, err
}

package metrics_test

import (
	"context"
	"testing"
	"time"

	"phonoglyph/metrics"
	"phonoglyph/remotion"
	"phonoglyph/remotion/lambdatest"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
)

// delta returns how much each series grew while f ran, as /metrics shows.
func delta(t *testing.T, f func(), series ...string) map[string]float64 {
	t.Helper()
	before := scrape(t, nil)
	f()
	after := scrape(t, nil)
	d := map[string]float64{}
	for _, s := range series {
		d[s] = after[s] - before[s]
	}
	return d
}

func wantDelta(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for s, v := range want {
		if got[s] != v {
			t.Errorf("%s grew by %v, want %v", s, got[s], v)
		}
	}
}

// TestRunPodCallsAreCounted sends real requests to the RunPod stand-in
// through the instrumented client: by operation (no job id) and outcome.
func TestRunPodCallsAreCounted(t *testing.T) {
	srv := runpodtest.Start(t, runpodtest.Options{})
	cfg := srv.Config()
	cfg.HTTPClient = metrics.Client(metrics.ServiceRunPod, runpod.Operation, 10*time.Second)
	c, err := runpod.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ok := `phonoglyph_external_requests_total{operation="health",outcome="ok",service="runpod"}`
	failed := `phonoglyph_external_requests_total{operation="health",outcome="server_error",service="runpod"}`
	status := `phonoglyph_external_requests_total{operation="status",outcome="client_error",service="runpod"}`
	timed := `phonoglyph_external_request_duration_seconds_count{operation="health",outcome="ok",service="runpod"}`
	got := delta(t, func() {
		if _, err := c.Health(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(1, 503)
		_, _ = c.Health(context.Background())
		_, _ = c.Status(context.Background(), "no-such-job") // 404 from the stand-in
	}, ok, failed, status, timed)
	wantDelta(t, got, map[string]float64{ok: 1, failed: 1, status: 1, timed: 1})
}

// TestUnreachableServiceIsAnError counts a refused connection as outcome
// error.
func TestUnreachableServiceIsAnError(t *testing.T) {
	c, err := runpod.New(runpod.Config{BaseURL: "http://127.0.0.1:1/v2", EndpointID: "e", APIKey: "k",
		HTTPClient: metrics.Client(metrics.ServiceRunPod, runpod.Operation, 5*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	series := `phonoglyph_external_requests_total{operation="health",outcome="error",service="runpod"}`
	got := delta(t, func() {
		if _, err := c.Health(context.Background()); err == nil {
			t.Fatal("health of a closed port succeeded")
		}
	}, series)
	wantDelta(t, got, map[string]float64{series: 1})
}

// TestLambdaCallsAreCounted invokes the Lambda stand-in through the SDK:
// the SDK's operation name labels the call, and a throttled one is a
// client error (the client does not retry it: a River retry does).
func TestLambdaCallsAreCounted(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, err := remotion.New(remotion.Config{FunctionName: remotion.FunctionName(3008, 2048, 600),
		ServeURL: "https://remotionlambda-useast1-test.s3.us-east-1.amazonaws.com/sites/raybox-renderer/index.html",
		Endpoint: srv.URL, AccessKeyID: "AKIDLAMBDATEST", SecretAccessKey: "lambdatest-secret",
		HTTPClient: metrics.AWSClient(metrics.ServiceLambda)})
	if err != nil {
		t.Fatal(err)
	}
	ok := `phonoglyph_external_requests_total{operation="Invoke",outcome="ok",service="lambda"}`
	throttled := `phonoglyph_external_requests_total{operation="Invoke",outcome="client_error",service="lambda"}`
	got := delta(t, func() {
		_, _ = c.Progress(context.Background(), "no-such-render", srv.Bucket) // answered: an error payload at HTTP 200
		srv.Throttle(1)
		_, _ = c.Progress(context.Background(), "no-such-render", srv.Bucket)
	}, ok, throttled)
	wantDelta(t, got, map[string]float64{ok: 1, throttled: 1})
}

// TestS3CallsAreCounted talks to a real S3 server (versitygw) through the
// instrumented client.
func TestS3CallsAreCounted(t *testing.T) {
	cfg := s3test.Start(t)
	cfg.HTTPClient = metrics.AWSClient(metrics.ServiceS3)
	s3, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	head := `phonoglyph_external_requests_total{operation="HeadBucket",outcome="ok",service="s3"}`
	missing := `phonoglyph_external_requests_total{operation="GetObject",outcome="client_error",service="s3"}`
	got := delta(t, func() {
		if err := s3.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s3.Open(context.Background(), "no/such/object"); err == nil {
			t.Fatal("opened a missing object")
		}
	}, head, missing)
	wantDelta(t, got, map[string]float64{head: 1, missing: 1})
}

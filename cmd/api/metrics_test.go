package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/loopback"
	"phonoglyph/metrics/metricstest"
)

// TestMetricsOnTheirOwnListener serves the API as the binary does, with
// METRICS_ADDR set: /metrics answers there, with the requests served on
// PORT and River's queue state, and not on the public port.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	port, metricsPort := loopback.Port(t), loopback.Port(t)
	const secret = "metrics-test-secret-metrics-test-secret!"
	for k, v := range map[string]string{
		"APP_ENV": "development", "PORT": strconv.Itoa(port), "DATABASE_URL": dbtest.URL(t), "AUTO_MIGRATE": "false",
		"STORAGE_DIR": t.TempDir(), "JWT_SECRET": secret, "SESSION_SECRET": secret,
		"METRICS_ADDR": fmt.Sprintf("127.0.0.1:%d", metricsPort), "OTEL_EXPORTER_OTLP_ENDPOINT": "",
		"RUNPOD_API_KEY": "", "REMOTION_SERVE_URL": "", "STORAGE_BACKEND": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "",
	} {
		t.Setenv(k, v)
	}
	signal, sendSignal := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- serve(signal, false) }()
	defer func() {
		sendSignal()
		if err := <-stopped; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually.True(t, 30*time.Second, "the API answers", func() bool {
		res, err := http.Get(base + "/health/live")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	got := metricstest.Scrape(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	for series, want := range map[string]float64{
		`phonoglyph_queue_stats_up`:                                       1,
		`phonoglyph_queue_jobs{queue="audio_analysis",state="available"}`: 0,
		`phonoglyph_river_leader`:                                         0, // the API only inserts
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	if got[`phonoglyph_http_requests_total{method="GET",route="/health/live",status="200"}`] < 1 {
		t.Error("the /health/live requests are not counted")
	}
	if _, ok := got[`go_goroutines`]; !ok {
		t.Error("no Go runtime metrics")
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public port: %d, want 404", res.StatusCode)
	}
}

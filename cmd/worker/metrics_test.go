package main

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/metrics/metricstest"
)

// TestWorkerServesMetrics runs the worker as the binary does with
// METRICS_ADDR set: /metrics shows its River client working and, the only
// client on its database, elected leader.
func TestWorkerServesMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for k, v := range map[string]string{
		"APP_ENV": "development", "DATABASE_URL": dbtest.URL(t), "AUTO_MIGRATE": "false", "STORAGE_DIR": t.TempDir(),
		"METRICS_ADDR": addr, "OTEL_EXPORTER_OTLP_ENDPOINT": "", "WORKER_QUEUES": "audio_analysis=1,maintenance=1",
		"RUNPOD_API_KEY": "", "REMOTION_SERVE_URL": "", "STORAGE_BACKEND": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "",
	} {
		t.Setenv(k, v)
	}
	signal, sendSignal := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- work(signal) }()
	defer func() {
		sendSignal()
		if err := <-stopped; err != nil {
			t.Errorf("work: %v", err)
		}
	}()
	url := fmt.Sprintf("http://%s/metrics", addr)
	eventually.True(t, 30*time.Second, "the worker's client is working and leader", func() bool {
		got, err := metricstest.Read(url)
		return err == nil && got[`phonoglyph_river_client_working`] == 1 && got[`phonoglyph_river_leader`] == 1 &&
			got[`phonoglyph_queue_stats_up`] == 1
	})
}

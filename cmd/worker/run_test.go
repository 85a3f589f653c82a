package main

import (
	"context"
	"os"
	"testing"
	"time"

	"phonoglyph/dbtest"
)

// startWorker runs the worker as the binary does, on a database of its own,
// in development with local storage and no cloud settings, with env on top,
// and stops it (as SIGTERM does) when the test ends, failing the test if it
// does not stop cleanly within a minute. The worker points TMPDIR at its own
// temp directory and removes that directory when it stops, so TMPDIR is put
// back for the tests that follow.
func startWorker(t *testing.T, env map[string]string) {
	t.Helper()
	t.Setenv("TMPDIR", os.TempDir())
	base := map[string]string{
		"APP_ENV": "development", "DATABASE_URL": dbtest.URL(t), "AUTO_MIGRATE": "false", "STORAGE_DIR": t.TempDir(),
		"RUNPOD_API_KEY": "", "REMOTION_SERVE_URL": "", "STORAGE_BACKEND": "", "OTEL_EXPORTER_OTLP_ENDPOINT": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "", "DEBUG_ADDR": "", "METRICS_ADDR": "",
	}
	for k, v := range env {
		base[k] = v
	}
	for k, v := range base {
		t.Setenv(k, v)
	}
	signal, sendSignal := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- work(signal) }()
	t.Cleanup(func() {
		sendSignal()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("work: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("the worker did not stop")
		}
	})
}

package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
)

// DEBUG_ADDR serves pprof from a worker process too, on its own listener,
// for as long as the worker runs.
func TestWorkerServesPprofOnDebugAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for k, v := range map[string]string{
		"APP_ENV": "development", "DATABASE_URL": dbtest.URL(t), "AUTO_MIGRATE": "false", "STORAGE_DIR": t.TempDir(),
		"WORKER_QUEUES": "maintenance=1", "DEBUG_ADDR": addr, "RUNPOD_API_KEY": "", "REMOTION_SERVE_URL": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "", "STORAGE_BACKEND": "",
	} {
		t.Setenv(k, v)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	stopped := make(chan error, 1)
	go func() { stopped <- work(ctx) }()

	var body string
	eventually.True(t, 30*time.Second, "pprof answers on DEBUG_ADDR", func() bool {
		res, err := http.Get("http://" + addr + "/debug/pprof/")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		body = string(raw)
		return res.StatusCode == http.StatusOK
	})
	if !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index without profiles: %.200s", body)
	}
	stop() // SIGTERM
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("work: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the worker did not stop")
	}
}

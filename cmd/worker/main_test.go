package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/eventually"
	"phonoglyph/loopback"
)

// DEBUG_ADDR serves pprof from a worker process too, on its own listener,
// for as long as the worker runs.
func TestWorkerServesPprofOnDebugAddr(t *testing.T) {
	addr := loopback.Addr(t)
	startWorker(t, map[string]string{"WORKER_QUEUES": "maintenance=1", "DEBUG_ADDR": addr})

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
}

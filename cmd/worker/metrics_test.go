package main

import (
	"testing"
	"time"

	"phonoglyph/eventually"
	"phonoglyph/loopback"
	"phonoglyph/metrics/metricstest"
)

// TestWorkerServesMetrics runs the worker as the binary does with
// METRICS_ADDR set: /metrics shows its River client working and, the only
// client on its database, elected leader.
func TestWorkerServesMetrics(t *testing.T) {
	addr := loopback.Addr(t)
	startWorker(t, map[string]string{"METRICS_ADDR": addr, "WORKER_QUEUES": "audio_analysis=1,maintenance=1"})
	url := "http://" + addr + "/metrics"
	eventually.True(t, 30*time.Second, "the worker's client is working and leader", func() bool {
		got, err := metricstest.Read(url)
		return err == nil && got[`phonoglyph_river_client_working`] == 1 && got[`phonoglyph_river_leader`] == 1 &&
			got[`phonoglyph_queue_stats_up`] == 1
	})
}

package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"phonoglyph/apitest"
	"phonoglyph/eventually"
	"phonoglyph/wavtest"
)

// TestScrapeAfterARequestAndAJob drives the real API and a real analysis
// job, then reads /metrics: the request is counted under its route
// template, the job under its kind and outcome, the analysis's real-time
// factor and River's event for it are there, and no id became a label.
func TestScrapeAfterARequestAndAJob(t *testing.T) {
	sys := apitest.Start(t, apitest.Options{})
	sys.StartWorkers()
	token := sys.Token()
	before := scrape(t, nil)

	fileID, jobID := sys.Upload(token, wavtest.Sine(44100, 1, 3, 440, 0.5), nil)
	polls := 0
	eventually.True(t, 60*time.Second, "the analysis completes", func() bool {
		var j struct {
			Status string `json:"status"`
		}
		sys.Call("GET", "/api/v1/jobs/"+jobID, token, nil, nil, 200, &j)
		polls++
		return j.Status == "completed"
	})
	unknown := uuid.NewString()
	sys.Call("GET", "/no-such-page/"+unknown, "", nil, nil, 404, nil)

	// River reports the completion after its completer's batch: wait for it
	// rather than racing it.
	var after map[string]float64
	event := `phonoglyph_river_job_events_total{event="job_completed",kind="audio_analysis"}`
	eventually.True(t, 10*time.Second, "River's completion event is counted", func() bool {
		after = scrape(t, nil)
		return after[event] > before[event]
	})
	grew := func(series string, by float64) {
		t.Helper()
		if got := after[series] - before[series]; got < by {
			t.Errorf("%s grew by %v, want at least %v", series, got, by)
		}
	}
	grew(`phonoglyph_http_requests_total{method="GET",route="/api/v1/jobs/:id",status="200"}`, float64(polls))
	grew(`phonoglyph_http_request_duration_seconds_count{method="GET",route="/api/v1/jobs/:id"}`, float64(polls))
	grew(`phonoglyph_http_requests_total{method="POST",route="/api/v1/files/:id/complete",status="200"}`, 1)
	grew(`phonoglyph_http_requests_total{method="POST",route="/api/v1/files",status="201"}`, 1)
	grew(`phonoglyph_http_requests_total{method="GET",route="unmatched",status="404"}`, 1)
	grew(`phonoglyph_jobs_total{kind="audio_analysis",outcome="completed"}`, 1)
	grew(`phonoglyph_job_duration_seconds_count{kind="audio_analysis",outcome="completed"}`, 1)
	grew(`phonoglyph_analysis_realtime_factor_count`, 1)
	grew(`phonoglyph_river_queue_wait_seconds_count{queue="audio_analysis"}`, 1)
	if after[`phonoglyph_analysis_realtime_factor_sum`] <= before[`phonoglyph_analysis_realtime_factor_sum`] {
		t.Error("the real-time factor's sum did not grow")
	}
	if after[`phonoglyph_river_client_working`] != 1 {
		t.Errorf("phonoglyph_river_client_working = %v while the workers run, want 1", after[`phonoglyph_river_client_working`])
	}
	// The working client is elected (the only one on its database), and its
	// collector says so.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(sys.Jobs.QueueCollector())
	eventually.True(t, 30*time.Second, "the working client reads as the leader", func() bool {
		return scrape(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))[`phonoglyph_river_leader`] == 1
	})

	for series := range after {
		for _, id := range []string{jobID, fileID, unknown} {
			if strings.Contains(series, id) {
				t.Errorf("series %s has an id in a label", series)
			}
		}
	}
}

// TestFailedJobIsCounted uploads a WAV whose header promises more samples
// than it holds: its analysis fails for good, and /metrics counts the
// attempt as failed, not retried.
func TestFailedJobIsCounted(t *testing.T) {
	sys := apitest.Start(t, apitest.Options{})
	sys.StartWorkers()
	token := sys.Token()
	failed := `phonoglyph_jobs_total{kind="audio_analysis",outcome="failed"}`
	retried := `phonoglyph_jobs_total{kind="audio_analysis",outcome="retried"}`
	before := scrape(t, nil)
	_, jobID := sys.Upload(token, wavtest.Sine(44100, 1, 1, 440, 0.5)[:64], nil)
	eventually.True(t, 60*time.Second, "the analysis fails", func() bool {
		var j struct {
			Status string `json:"status"`
		}
		sys.Call("GET", "/api/v1/jobs/"+jobID, token, nil, nil, 200, &j)
		return j.Status == "failed"
	})
	after := scrape(t, nil)
	if got := after[failed] - before[failed]; got != 1 {
		t.Errorf("%s grew by %v, want 1", failed, got)
	}
	if got := after[retried] - before[retried]; got != 0 {
		t.Errorf("%s grew by %v, want 0: bad input is not retried", retried, got)
	}
}

package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of one attempt of a user-facing job.
const (
	OutcomeCompleted = "completed" // the job succeeded
	OutcomeFailed    = "failed"    // the job ended failed: bad input, a refusal, attempts exhausted
	OutcomeRetried   = "retried"   // the attempt failed and River runs another
	OutcomeCancelled = "cancelled" // the job was cancelled, or had ended elsewhere
	OutcomeSnoozed   = "snoozed"   // the attempt waits on external work (RunPod, Lambda) and polls again
)

// jobBuckets span a MIDI parse (tens of ms) to an hour-long render.
var jobBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}

var (
	jobAttempts = factory.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "jobs_total",
		Help: "Attempts of user-facing jobs, by kind and outcome."}, []string{"kind", "outcome"})
	jobDuration = factory.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "job_duration_seconds",
		Help: "Run time of one attempt of a user-facing job, by kind and outcome.", Buckets: jobBuckets}, []string{"kind", "outcome"})

	realtimeFactor = factory.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "analysis_realtime_factor",
		Help: "Wall-clock seconds an audio analysis took per second of audio (0.01 is 100x faster than real time).",
		// 1000x real time to slower than real time.
		Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2}})

	riverEvents = factory.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "river_job_events_total",
		Help: "Jobs this process's River client finished working, by kind and event (completed, failed, cancelled, snoozed, interrupted); every kind, maintenance included."},
		[]string{"kind", "event"})
	queueWait = factory.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "river_queue_wait_seconds",
		Help: "Time a job waited available in its queue before this process began working it.", Buckets: latencyBuckets}, []string{"queue"})
	fetchDuration = factory.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "river_fetch_duration_seconds",
		Help: "Duration of River's successful fetches of available jobs, by queue.", Buckets: latencyBuckets}, []string{"queue"})
	clientWorking = factory.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "river_client_working",
		Help: "1 while this process's River client is started and working queues, else 0."})
)

// ObserveJob counts one attempt of a job of kind that ended with outcome
// (one of the Outcome constants) after d.
func ObserveJob(kind, outcome string, d time.Duration) {
	jobAttempts.WithLabelValues(kind, outcome).Inc()
	jobDuration.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

// ObserveAnalysis records the real-time factor of an analysis that took
// took for audio seconds of audio; an empty input records nothing.
func ObserveAnalysis(took time.Duration, audio float64) {
	if audio > 0 {
		realtimeFactor.Observe(took.Seconds() / audio)
	}
}

// ObserveRiverEvent counts a job River reports finished (event is the
// River event kind, e.g. job_completed), and how long it waited in queue.
func ObserveRiverEvent(kind, event, queue string, waited time.Duration) {
	riverEvents.WithLabelValues(kind, event).Inc()
	queueWait.WithLabelValues(queue).Observe(waited.Seconds())
}

// ObserveFetch records one successful fetch of available jobs from queue.
func ObserveFetch(queue string, d time.Duration) {
	fetchDuration.WithLabelValues(queue).Observe(d.Seconds())
}

// SetWorking records whether this process's River client is working.
func SetWorking(working bool) {
	clientWorking.Set(boolValue(working))
}

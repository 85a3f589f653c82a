package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// latencyBuckets span a cached read (1 ms) to a slow upload or an event
// stream's whole life (60 s and beyond, in +Inf).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

var (
	httpRequests = factory.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route template, method and status."}, []string{"route", "method", "status"})
	httpDuration = factory.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
		Help: "Time from a request's arrival to its answer's end, by route template and method.", Buckets: latencyBuckets},
		[]string{"route", "method"})
)

// RouteUnmatched is the route label of requests that matched no route, so
// a scan of random paths adds one series, not one per path.
const RouteUnmatched = "unmatched"

var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

// ObserveHTTP counts one answered request of route (the router's template,
// e.g. /api/v1/jobs/:id, or RouteUnmatched) and records how long it took.
func ObserveHTTP(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other" // a client chooses the method: keep the label set bounded
	}
	httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

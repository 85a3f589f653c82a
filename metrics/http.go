package metrics

import (
	"net/http"
	"strconv"
	"sync"
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

// httpKey names one series pair of ObserveHTTP.
type httpKey struct {
	route, method string
	status        int
}

// httpSeries are the counter and histogram of one httpKey, looked up once:
// the label values are then neither validated nor hashed per request.
type httpSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// httpCache holds the series of every httpKey seen; the keys are bounded
// (routes × known methods × statuses), so it never needs evicting. A plain
// map, unlike sync.Map, looks a struct key up without allocating.
var httpCache = struct {
	sync.RWMutex
	m map[httpKey]*httpSeries
}{m: map[httpKey]*httpSeries{}}

// ObserveHTTP counts one answered request of route (the router's template,
// e.g. /api/v1/jobs/:id, or RouteUnmatched) and records how long it took.
func ObserveHTTP(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other" // a client chooses the method: keep the label set bounded
	}
	k := httpKey{route: route, method: method, status: status}
	httpCache.RLock()
	series, ok := httpCache.m[k]
	httpCache.RUnlock()
	if !ok {
		series = &httpSeries{requests: httpRequests.WithLabelValues(route, method, strconv.Itoa(status)),
			duration: httpDuration.WithLabelValues(route, method)}
		httpCache.Lock()
		httpCache.m[k] = series
		httpCache.Unlock()
	}
	series.requests.Inc()
	series.duration.Observe(d.Seconds())
}

// Package metrics is the process's Prometheus registry and every metric the
// system exports, served at /metrics on a listener of its own (METRICS_ADDR)
// so they are reachable only where ops bind it, never through the public
// port. The HTTP layer, the job lifecycle, the external clients' transport
// and the analysis observe through the functions here; River's state is
// read at scrape time by QueueCollector.
//
// Names follow Prometheus' conventions: the phonoglyph_ namespace, _total
// counters, _seconds histograms, and labels of low cardinality (the route
// template, never the raw path; the job kind; the queue).
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"phonoglyph/debug"
)

const namespace = "phonoglyph"

// Registry is the one registry of the process: the Go runtime and process
// collectors and every metric of this package. A process adds its
// QueueCollector with Registry.Register.
var Registry = prometheus.NewRegistry()

// factory creates this package's metrics in Registry.
var factory = promauto.With(Registry)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Handler serves Registry in the Prometheus text format (or OpenMetrics,
// when the scraper asks for it).
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry, EnableOpenMetrics: true, Timeout: 10 * time.Second})
}

// Serve listens on addr and serves Handler at /metrics until ctx ends; an
// empty addr serves nothing. The listener is opened before Serve returns, so
// a wrong address stops start-up with an error naming METRICS_ADDR.
func Serve(ctx context.Context, addr string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler())
	return debug.Listen(ctx, "METRICS_ADDR", addr, mux, log)
}

package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"phonoglyph/metrics"
	"phonoglyph/metrics/metricstest"
)

// scrape reads h (the process's registry when nil) as Prometheus does.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	if h == nil {
		h = metrics.Handler()
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	return metricstest.Scrape(t, srv.URL+"/metrics")
}

package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"phonoglyph/metrics"
	"phonoglyph/store"
)

// families are the names of every metric family this package exports:
// each is given a sample (a registry omits a family with none) and
// gathered, with the queue collector's.
func families(t *testing.T) []string {
	t.Helper()
	metrics.ObserveHTTP("/dashboard-test", http.MethodGet, 200, time.Millisecond)
	metrics.ObserveJob("dashboard_test", metrics.OutcomeCompleted, time.Second)
	metrics.ObserveAnalysis(time.Second, 100)
	metrics.ObserveRiverEvent("dashboard_test", "job_completed", "dashboard_test", time.Second)
	metrics.ObserveFetch("dashboard_test", time.Millisecond)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res, err := metrics.Client("dashboard_test", nil, time.Second).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(&metrics.QueueCollector{ClientID: "c", Read: func(context.Context) (*store.QueueStats, error) {
		return &store.QueueStats{Depths: []store.QueueDepth{{Queue: "q", State: "available", Jobs: 1}}, LeaderID: "c"}, nil
	}})
	var names []string
	for _, g := range []prometheus.Gatherer{metrics.Registry, reg} {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), "phonoglyph_") {
				names = append(names, mf.GetName())
			}
		}
	}
	return names
}

// TestDashboardShowsEveryFamily reads the Grafana dashboard in deploy/:
// every metric its queries name exists, and every family has a panel.
func TestDashboardShowsEveryFamily(t *testing.T) {
	data, err := os.ReadFile("../deploy/grafana/phonoglyph.json")
	if err != nil {
		t.Fatal(err)
	}
	exported := families(t)
	shown := map[string]bool{}
	for _, name := range regexp.MustCompile(`phonoglyph_[a-z_]+`).FindAllString(string(data), -1) {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
		if !slices.Contains(exported, base) {
			t.Errorf("the dashboard queries %s, which is not exported", name)
		}
		shown[base] = true
	}
	for _, name := range exported {
		if !shown[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

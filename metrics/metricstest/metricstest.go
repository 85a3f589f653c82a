// Package metricstest reads a /metrics endpoint in tests, as Prometheus
// scrapes it.
package metricstest

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Scrape GETs url (a /metrics endpoint) and returns every sample by its
// series as exposed: the name and the labels in the order the registry
// sorts them, e.g. phonoglyph_jobs_total{kind="audio_analysis",outcome="completed"}.
// It fails t unless the answer is 200 in the text format.
func Scrape(t testing.TB, url string) map[string]float64 {
	t.Helper()
	samples, err := Read(url)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

// Read is Scrape returning its error, for polling an endpoint that may not
// be up yet.
func Read(url string) (map[string]float64, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("GET %s: not a sample: %q", url, line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("GET %s: sample %q: %w", url, line, err)
		}
		samples[line[:i]] = v
	}
	return samples, sc.Err()
}

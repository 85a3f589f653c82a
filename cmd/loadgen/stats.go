package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"text/tabwriter"
	"time"
)

// maxSamples bounds the latencies one step keeps (8 bytes each); beyond it
// the step still counts requests but keeps every other sample it sees.
const maxSamples = 1 << 21

// recorder collects the latency and outcome of every step of a run.
type recorder struct {
	mu    sync.Mutex
	steps map[string]*step
	order []string
}

type step struct {
	count, errors int
	samples       []time.Duration
	keepEvery     int // keep one sample in keepEvery once maxSamples is reached
	firstErr      string
}

func newRecorder() *recorder { return &recorder{steps: map[string]*step{}} }

// add records one request of step name that took d; err marks it failed.
func (r *recorder) add(name string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.steps[name]
	if s == nil {
		s = &step{keepEvery: 1}
		r.steps[name] = s
		r.order = append(r.order, name)
	}
	s.count++
	if err != nil {
		s.errors++
		if s.firstErr == "" {
			s.firstErr = err.Error()
		}
		return
	}
	if len(s.samples) >= maxSamples {
		s.samples, s.keepEvery = halve(s.samples), s.keepEvery*2
	}
	if s.count%s.keepEvery == 0 {
		s.samples = append(s.samples, d)
	}
}

// halve keeps every other sample.
func halve(s []time.Duration) []time.Duration {
	out := s[:0]
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	return out
}

// StepReport is one step's numbers over the run.
type StepReport struct {
	Step       string  `json:"step"`
	Count      int     `json:"count"`
	Errors     int     `json:"errors"`
	PerSecond  float64 `json:"per_second"`
	P50MS      float64 `json:"p50_ms"`
	P99MS      float64 `json:"p99_ms"`
	MaxMS      float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

// report summarises every step over a run that lasted elapsed.
func (r *recorder) report(elapsed time.Duration) []StepReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]StepReport, 0, len(r.order))
	for _, name := range r.order {
		s := r.steps[name]
		sorted := slices.Clone(s.samples)
		slices.Sort(sorted)
		rep := StepReport{Step: name, Count: s.count, Errors: s.errors, FirstError: s.firstErr,
			P50MS: ms(quantile(sorted, 0.50)), P99MS: ms(quantile(sorted, 0.99))}
		if len(sorted) > 0 {
			rep.MaxMS = ms(sorted[len(sorted)-1])
		}
		if elapsed > 0 {
			rep.PerSecond = float64(s.count-s.errors) / elapsed.Seconds()
		}
		out = append(out, rep)
	}
	return out
}

// quantile is the nearest-rank q-quantile of sorted samples (0 for none).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// printTable writes the report as an aligned table.
func printTable(w io.Writer, reps []StepReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tcount\terrors\tper s\tp50 ms\tp99 ms\tmax ms\t")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t\n", r.Step, r.Count, r.Errors, r.PerSecond, r.P50MS, r.P99MS, r.MaxMS)
	}
	tw.Flush()
	for _, r := range reps {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.Step, r.FirstError)
		}
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"phonoglyph/store"
)

// QueueReader reads River's queue state (store.Queries.QueueStats).
type QueueReader func(ctx context.Context) (*store.QueueStats, error)

// QueueCollector exports River's queue depths by state, the age of each
// queue's oldest available job, paused queues and whether this process's
// client is the leader. It reads them when scraped, at most once per
// MaxAge (scrapes in between, from a second Prometheus or a dashboard,
// reuse the last read), each read bounded by Timeout; a failed read exports
// phonoglyph_queue_stats_up 0 and no stale numbers.
type QueueCollector struct {
	Read QueueReader
	// ClientID is this process's River client id, to tell whether it is the
	// leader.
	ClientID string
	MaxAge   time.Duration // 0 is 5 s
	Timeout  time.Duration // 0 is 2 s

	mu   sync.Mutex
	at   time.Time
	last *store.QueueStats
	took time.Duration
	err  error
}

var (
	queueJobsDesc = prometheus.NewDesc(namespace+"_queue_jobs",
		"River jobs per queue and live state (available, running, retryable, scheduled, pending); each count stops at the cap the query is given.",
		[]string{"queue", "state"}, nil)
	queueOldestDesc = prometheus.NewDesc(namespace+"_queue_oldest_available_age_seconds",
		"Age of each queue's oldest available job (now minus its scheduled time); 0 when none waits.", []string{"queue"}, nil)
	queuePausedDesc = prometheus.NewDesc(namespace+"_queue_paused", "1 for a paused queue.", []string{"queue"}, nil)
	leaderDesc      = prometheus.NewDesc(namespace+"_river_leader",
		"1 while this process's River client is the elected leader (runs the maintenance services and periodic jobs); the sum over processes is 1 when healthy.", nil, nil)
	statsUpDesc       = prometheus.NewDesc(namespace+"_queue_stats_up", "1 when the last read of River's queue state succeeded.", nil, nil)
	statsDurationDesc = prometheus.NewDesc(namespace+"_queue_stats_read_seconds", "How long the last read of River's queue state took.", nil, nil)
)

// Describe sends the collector's descriptions.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueJobsDesc, queueOldestDesc, queuePausedDesc, leaderDesc, statsUpDesc, statsDurationDesc} {
		ch <- d
	}
}

// Collect sends the queue state, read now unless the last read is younger
// than MaxAge.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	s, took, err := c.stats()
	ch <- prometheus.MustNewConstMetric(statsDurationDesc, prometheus.GaugeValue, took.Seconds())
	if err != nil {
		ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 1)
	queues := map[string]bool{}
	for _, d := range s.Depths {
		queues[d.Queue] = true
		ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(d.Jobs), d.Queue, d.State)
	}
	paused := map[string]bool{}
	for _, q := range s.Paused {
		paused[q] = true
	}
	for q := range queues {
		ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, s.OldestAvailable[q].Seconds(), q)
		ch <- prometheus.MustNewConstMetric(queuePausedDesc, prometheus.GaugeValue, boolValue(paused[q]), q)
	}
	ch <- prometheus.MustNewConstMetric(leaderDesc, prometheus.GaugeValue, boolValue(c.ClientID != "" && s.LeaderID == c.ClientID))
}

func (c *QueueCollector) stats() (*store.QueueStats, time.Duration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maxAge := c.MaxAge
	if maxAge == 0 {
		maxAge = 5 * time.Second
	}
	if !c.at.IsZero() && time.Since(c.at) < maxAge {
		return c.last, c.took, c.err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	c.last, c.err = c.Read(ctx)
	c.at, c.took = time.Now(), time.Since(start)
	return c.last, c.took, c.err
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

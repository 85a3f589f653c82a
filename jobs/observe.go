package jobs

import (
	"context"
	"errors"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"phonoglyph"
	"phonoglyph/metrics"
	"phonoglyph/store"
)

// queueStatsCap bounds each (queue, state) count of QueueStats: past it the
// gauge reads the cap, which is already a queue to page about, and a scrape
// never walks millions of index entries.
const queueStatsCap = 10000

// outcome names how one attempt of a user-facing job ended, for
// metrics.ObserveJob: work is what the kind's work returned, settled what
// the lifecycle handed River.
func outcome(ctx context.Context, work, settled error, last bool) string {
	var (
		snooze *rivertype.JobSnoozeError
		cancel *rivertype.JobCancelError
		f      *failure
	)
	switch {
	case work == nil && settled == nil:
		return metrics.OutcomeCompleted
	case errors.Is(work, phonoglyph.ErrJobFinished), errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely):
		return metrics.OutcomeCancelled // its owner cancelled it, or it ended elsewhere
	case errors.As(settled, &snooze):
		return metrics.OutcomeSnoozed
	case errors.As(settled, &f):
		return metrics.OutcomeFailed // Fail, or an answer such as ENOTFOUND: never retried
	case errors.As(settled, &cancel):
		return metrics.OutcomeCancelled
	case settled != nil && last && !errors.Is(settled, errTakenOver):
		return metrics.OutcomeFailed // attempts exhausted
	case settled != nil:
		return metrics.OutcomeRetried
	}
	return metrics.OutcomeCancelled // the row was gone: nothing was kept
}

// fetchMetrics is the River hook that times its fetches of available jobs.
var fetchMetrics = river.HookMetricEmitFunc(func(_ context.Context, p *rivertype.HookMetricEmitParams) {
	if m, ok := p.Metric.(*rivertype.JobGetAvailableDurationMetric); ok {
		metrics.ObserveFetch(m.Queue, m.Duration)
	}
})

// observeEvents counts every job River reports this client finished
// working, of every kind (maintenance included), with its time in queue,
// until the client stops.
func (c *Client) observeEvents() {
	events, cancel := c.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled,
		river.EventKindJobSnoozed, river.EventKindJobInterrupted)
	metrics.SetWorking(true)
	go func() {
		defer cancel()
		defer metrics.SetWorking(false)
		for {
			select {
			case e := <-events:
				if e != nil && e.Job != nil && e.JobStats != nil {
					metrics.ObserveRiverEvent(e.Job.Kind, string(e.Kind), e.Job.Queue, e.JobStats.QueueWaitDuration)
				}
			case <-c.river.Stopped():
				return
			}
		}
	}()
}

// QueueCollector is the metrics collector of River's queues as this client
// sees them: its queues and every queue River knows, and whether this
// client is the leader.
func (c *Client) QueueCollector() *metrics.QueueCollector {
	queues := append([]string{c.midiQueue}, phonoglyph.Queues...)
	return &metrics.QueueCollector{ClientID: c.river.ID(), Read: func(ctx context.Context) (*store.QueueStats, error) {
		return c.deps.Store.QueueStats(ctx, queues, queueStatsCap)
	}}
}

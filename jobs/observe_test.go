package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/metrics"
)

// TestOutcomeNamesHowAnAttemptEnded maps what a kind's work returned, and
// what the lifecycle handed River for it, to the outcome label.
func TestOutcomeNamesHowAnAttemptEnded(t *testing.T) {
	boom := errors.New("connection reset")
	failed := &failure{msg: "not an audio file"}
	remote, cancel := context.WithCancelCause(context.Background())
	cancel(river.ErrJobCancelledRemotely)
	for _, c := range []struct {
		name          string
		ctx           context.Context
		work, settled error
		last          bool
		want          string
	}{
		{"success", context.Background(), nil, nil, false, metrics.OutcomeCompleted},
		{"ended elsewhere", context.Background(), phonoglyph.ErrJobFinished, nil, false, metrics.OutcomeCancelled},
		{"cancelled by its owner while running", remote, context.Canceled, context.Canceled, false, metrics.OutcomeCancelled},
		{"Fail", context.Background(), failed, river.JobCancel(failed), false, metrics.OutcomeFailed},
		{"polling", context.Background(), river.JobSnooze(time.Second), river.JobSnooze(time.Second), false, metrics.OutcomeSnoozed},
		{"a kind's own JobCancel", context.Background(), river.JobCancel(boom), river.JobCancel(boom), false, metrics.OutcomeCancelled},
		{"transient error", context.Background(), boom, boom, false, metrics.OutcomeRetried},
		{"attempts exhausted", context.Background(), boom, boom, true, metrics.OutcomeFailed},
		{"taken over by another worker", context.Background(), errTakenOver, errTakenOver, true, metrics.OutcomeRetried},
	} {
		if got := outcome(c.ctx, c.work, c.settled, c.last); got != c.want {
			t.Errorf("%s: outcome %q, want %q", c.name, got, c.want)
		}
	}
}

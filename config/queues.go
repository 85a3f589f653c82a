package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"phonoglyph"
)

// Queues are the job queues' settings of a worker process: which queues it
// works and how many jobs of each it runs at once, how often River looks
// for new jobs, and how long one attempt of each job kind may take. The
// defaults are River's own fetch settings and each kind's built-in timeout.
type Queues struct {
	WorkerQueues map[string]int `env:"WORKER_QUEUES" envKeyValSeparator:"=" envDefault:"audio_analysis=2,stem_separation=20,render=20,midi=2,maintenance=2"`
	MIDIQueue    string         `env:"MIDI_QUEUE" envDefault:"midi"`

	// FetchCooldown is the least time between two fetches of one queue: a
	// queue whose jobs are short drains at most MaxWorkers jobs per
	// cooldown in one process.
	FetchCooldown time.Duration `env:"RIVER_FETCH_COOLDOWN" envDefault:"10ms"`
	// FetchPollInterval is how often a queue is fetched when no
	// notification woke it (the pickup delay behind a pooler without
	// LISTEN/NOTIFY).
	FetchPollInterval time.Duration `env:"RIVER_FETCH_POLL_INTERVAL" envDefault:"1s"`
	// JobTimeouts override the time one attempt of a job kind may take,
	// by kind (audio_analysis=10m,render=1h); unset kinds keep theirs.
	JobTimeouts map[string]time.Duration `env:"JOB_TIMEOUTS" envKeyValSeparator:"="`
}

// maxQueueWorkers is River's limit of concurrent jobs per queue and process.
const maxQueueWorkers = 10000

// timedKinds are the job kinds whose attempt timeout JOB_TIMEOUTS may set.
var timedKinds = []string{string(phonoglyph.KindAudioAnalysis), string(phonoglyph.KindStemSeparation),
	string(phonoglyph.KindRender), string(phonoglyph.KindMIDIParse)}

func (q *Queues) check() error {
	if !queueName.MatchString(q.MIDIQueue) {
		return fmt.Errorf("configuration: MIDI_QUEUE: must be 1..64 of a-z, 0-9, _ and -, got %q", q.MIDIQueue)
	}
	for name, n := range q.WorkerQueues {
		if !slices.Contains(phonoglyph.Queues, name) && name != q.MIDIQueue {
			return fmt.Errorf("configuration: WORKER_QUEUES: unknown queue %q (known: %s)", name, strings.Join(phonoglyph.Queues, ", "))
		}
		if n < 1 || n > maxQueueWorkers {
			return fmt.Errorf("configuration: WORKER_QUEUES: %s must have 1..%d workers, got %d", name, maxQueueWorkers, n)
		}
	}
	switch {
	case q.FetchCooldown < time.Millisecond || q.FetchCooldown > time.Minute:
		return fmt.Errorf("configuration: RIVER_FETCH_COOLDOWN: must be between 1ms and 1m, got %s", q.FetchCooldown)
	case q.FetchPollInterval < q.FetchCooldown || q.FetchPollInterval > time.Hour:
		return fmt.Errorf("configuration: RIVER_FETCH_POLL_INTERVAL: must be between RIVER_FETCH_COOLDOWN (%s) and 1h, got %s",
			q.FetchCooldown, q.FetchPollInterval)
	}
	for kind, d := range q.JobTimeouts {
		if !slices.Contains(timedKinds, kind) {
			return fmt.Errorf("configuration: JOB_TIMEOUTS: unknown job kind %q (known: %s)", kind, strings.Join(timedKinds, ", "))
		}
		if d < time.Second || d > 7*24*time.Hour {
			return fmt.Errorf("configuration: JOB_TIMEOUTS: %s must be between 1s and 168h, got %s", kind, d)
		}
	}
	return nil
}

package config

import (
	"strings"
	"testing"
	"time"
)

// Without queue variables a worker keeps River's fetch settings and every
// kind's own timeout.
func TestQueueDefaults(t *testing.T) {
	c, err := load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.FetchCooldown != 10*time.Millisecond || c.FetchPollInterval != time.Second || len(c.JobTimeouts) != 0 ||
		c.WorkerQueues["stem_separation"] != 20 || c.MIDIQueue != "midi" {
		t.Errorf("queue settings = %+v", c.Queues)
	}
}

func TestQueueSettingsFromTheEnvironment(t *testing.T) {
	c, err := load(map[string]string{
		"WORKER_QUEUES": "audio_analysis=50,maintenance=1", "RIVER_FETCH_COOLDOWN": "5ms",
		"RIVER_FETCH_POLL_INTERVAL": "250ms", "JOB_TIMEOUTS": "render=2h,audio_analysis=90s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.WorkerQueues["audio_analysis"] != 50 || len(c.WorkerQueues) != 2 || c.FetchCooldown != 5*time.Millisecond ||
		c.FetchPollInterval != 250*time.Millisecond || c.JobTimeouts["render"] != 2*time.Hour ||
		c.JobTimeouts["audio_analysis"] != 90*time.Second {
		t.Errorf("queue settings = %+v", c.Queues)
	}
}

// A wrong queue setting stops start-up with a message naming the variable
// and saying what is allowed.
func TestInvalidQueueSettings(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"RIVER_FETCH_COOLDOWN": "soon"}, "RIVER_FETCH_COOLDOWN"},
		{map[string]string{"RIVER_FETCH_COOLDOWN": "0s"}, "RIVER_FETCH_COOLDOWN: must be between 1ms and 1m"},
		{map[string]string{"RIVER_FETCH_COOLDOWN": "500us"}, "RIVER_FETCH_COOLDOWN: must be between 1ms and 1m"},
		{map[string]string{"RIVER_FETCH_POLL_INTERVAL": "2h"}, "RIVER_FETCH_POLL_INTERVAL: must be between"},
		// River refuses a poll interval shorter than the cooldown.
		{map[string]string{"RIVER_FETCH_COOLDOWN": "2s"}, "RIVER_FETCH_POLL_INTERVAL: must be between RIVER_FETCH_COOLDOWN (2s)"},
		{map[string]string{"JOB_TIMEOUTS": "thumbnail=1m"}, `JOB_TIMEOUTS: unknown job kind "thumbnail"`},
		{map[string]string{"JOB_TIMEOUTS": "render=100ms"}, "JOB_TIMEOUTS: render must be between 1s and 168h"},
		{map[string]string{"JOB_TIMEOUTS": "render"}, "JOB_TIMEOUTS"},
		{map[string]string{"WORKER_QUEUES": "render=10001"}, "WORKER_QUEUES: render must have 1..10000 workers"},
		{map[string]string{"MIDI_QUEUE": "MIDI!"}, "MIDI_QUEUE"},
	} {
		_, err := load(tc.vars)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.vars, err, tc.want)
		}
	}
}

package runpod

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Job states as RunPod names them.
const (
	StateInQueue    = "IN_QUEUE"
	StateInProgress = "IN_PROGRESS"
	StateCompleted  = "COMPLETED"
	StateFailed     = "FAILED"
	StateCancelled  = "CANCELLED"
	StateTimedOut   = "TIMED_OUT"
)

// Status is one /status answer, decoded.
type Status struct {
	// ID is the job id.
	ID string
	// State is one of the State constants.
	State string
	// Progress is the latest progress of an IN_PROGRESS job, nil before the
	// worker reports any.
	Progress *Progress
	// Output is the result of a COMPLETED job, nil when it has none. An
	// Output whose Error is set is a failure: see Failed.
	Output *Output
	// Error is why a FAILED job failed: the handler's error string, or the
	// error_message of the exception RunPod reports as JSON.
	Error string
	// DelayTime is how long the job waited in the queue.
	DelayTime time.Duration
	// ExecutionTime is how long the job has run.
	ExecutionTime time.Duration
}

// Progress is the output of an IN_PROGRESS job: what the GPU worker last
// passed to progress_update.
type Progress struct {
	Stage string  `json:"stage"` // downloading, separating or uploading
	Pct   float64 `json:"pct"`   // 0 to 100
}

// Output is the output of a COMPLETED job: {"stems": {name: {"bytes": n}}},
// or {"error": "message"} when the worker failed without raising.
type Output struct {
	Stems map[string]StemOutput `json:"stems"`
	Error string                `json:"error,omitempty"`
}

// StemOutput describes one uploaded stem.
type StemOutput struct {
	Bytes int64 `json:"bytes"`
}

// Failed reports whether a job ended without its stems, with a message a
// person understands: FAILED, TIMED_OUT, CANCELLED, and COMPLETED with an
// error or without any stems. It reports false for a job still queued or
// running and for a COMPLETED job with stems.
func (s *Status) Failed() (msg string, failed bool) {
	switch s.State {
	case StateFailed:
		if s.Error == "" {
			return "stem separation failed at RunPod", true
		}
		return "stem separation failed at RunPod: " + s.Error, true
	case StateTimedOut:
		return "stem separation timed out at RunPod before it started or finished", true
	case StateCancelled:
		return "stem separation was cancelled at RunPod", true
	case StateCompleted:
		if s.Output != nil && s.Output.Error != "" {
			return "stem separation failed: " + s.Output.Error, true
		}
		if s.Output == nil || len(s.Output.Stems) == 0 {
			return "stem separation finished at RunPod without any stems", true
		}
	}
	return "", false
}

// Status asks RunPod where job id stands. An error wrapping ErrNotFound
// means RunPod no longer knows the job: a failure, not a reason to wait.
func (c *Client) Status(ctx context.Context, id string) (*Status, error) {
	op := "status of job " + id
	var job jobObject
	if err := c.do(ctx, op, http.MethodGet, "/status/"+url.PathEscape(id), nil, &job); err != nil {
		return nil, err
	}
	s := &Status{
		ID:            cmp.Or(job.ID, id),
		State:         job.Status,
		DelayTime:     time.Duration(job.DelayTime * float64(time.Millisecond)),
		ExecutionTime: time.Duration(job.ExecutionTime * float64(time.Millisecond)),
	}
	switch job.Status {
	case StateInQueue, StateCancelled, StateTimedOut:
	case StateInProgress:
		s.Progress = decodeProgress(job.Output)
	case StateCompleted:
		s.Output = decodeOutput(job.Output)
	case StateFailed:
		s.Error = errorMessage(job.Error)
		if o := decodeOutput(job.Output); s.Error == "" && o != nil {
			s.Error = o.Error
		}
	default:
		return nil, fmt.Errorf("runpod: %s: unknown status %q", op, job.Status)
	}
	return s, nil
}

// jobObject is RunPod's job object; output and error are decoded by state.
type jobObject struct {
	ID            string          `json:"id"`
	Status        string          `json:"status"`
	DelayTime     float64         `json:"delayTime"`     // ms
	ExecutionTime float64         `json:"executionTime"` // ms
	Output        json.RawMessage `json:"output"`
	Error         json.RawMessage `json:"error"`
}

// absent reports whether a JSON value is missing or null.
func absent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// decodeProgress reads a progress output, nil when it is not one.
func decodeProgress(raw json.RawMessage) *Progress {
	var p Progress
	if absent(raw) || json.Unmarshal(raw, &p) != nil {
		return nil
	}
	p.Pct = min(max(p.Pct, 0), 100)
	return &p
}

// decodeOutput reads a result output, nil when it is not a JSON object.
// Stems it cannot read are left out, which Failed reports.
func decodeOutput(raw json.RawMessage) *Output {
	var o struct {
		Stems json.RawMessage `json:"stems"`
		Error json.RawMessage `json:"error"`
	}
	if absent(raw) || json.Unmarshal(raw, &o) != nil {
		return nil
	}
	out := &Output{Error: errorMessage(o.Error)}
	if json.Unmarshal(o.Stems, &out.Stems) != nil {
		out.Stems = nil
	}
	return out
}

// errorMessage reads an error value: a string, or any other JSON as its
// text. When that text is the JSON RunPod makes of a handler exception, the
// exception's error_message is the message.
func errorMessage(raw json.RawMessage) string {
	if absent(raw) {
		return ""
	}
	var text string
	if json.Unmarshal(raw, &text) != nil {
		text = string(raw)
	}
	var exception struct {
		Message string `json:"error_message"`
	}
	if json.Unmarshal([]byte(text), &exception) == nil && exception.Message != "" {
		return strings.TrimSpace(exception.Message)
	}
	return strings.TrimSpace(text)
}

package runpodtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"phonoglyph/runpod"
)

// Limits and defaults of RunPod's /run.
const (
	maxPayload              = 10 << 20
	maxPolicy               = 7 * 24 * time.Hour
	defaultExecutionTimeout = 10 * time.Minute
	defaultTTL              = 24 * time.Hour
)

// run handles POST /run: it checks the body, queues the job and starts it.
func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Input  json.RawMessage `json:"input"`
		Policy struct {
			ExecutionTimeout int64 `json:"executionTimeout"` // ms
			TTL              int64 `json:"ttl"`              // ms
		} `json:"policy"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPayload)).Decode(&body); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "payload larger than 10 MB")
			return
		}
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	if len(body.Input) == 0 || string(body.Input) == "null" {
		writeError(w, http.StatusBadRequest, "input is required")
		return
	}
	var in runpod.Input
	if s.opt.Worker != nil {
		// The worker checks the input, as behind a real endpoint.
		var object map[string]json.RawMessage
		if err := json.Unmarshal(body.Input, &object); err != nil {
			writeError(w, http.StatusBadRequest, "input must be a JSON object")
			return
		}
	} else if err := json.Unmarshal(body.Input, &in); err != nil {
		writeError(w, http.StatusBadRequest, "input: "+err.Error())
		return
	} else if err := validate(in); err != nil {
		writeError(w, http.StatusBadRequest, "input: "+err.Error())
		return
	}
	exec, err := policyDuration("executionTimeout", body.Policy.ExecutionTimeout, defaultExecutionTimeout)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ttl, err := policyDuration("ttl", body.Policy.TTL, defaultTTL)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}

	j := &job{id: uuid.NewString() + "-u1", input: body.Input, in: in, execTimeout: exec, ttl: ttl, created: time.Now()}
	s.mu.Lock()
	s.jobs[j.id] = j
	s.runs++
	j.ttlTimer = time.AfterFunc(ttl, func() { s.expire(j) })
	s.start(j)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": j.id, "status": runpod.StateInQueue})
}

// policyDuration reads a policy field in milliseconds, def when 0.
func policyDuration(name string, ms int64, def time.Duration) (time.Duration, error) {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case ms == 0:
		return def, nil
	case ms < 0 || d > maxPolicy:
		return 0, fmt.Errorf("policy.%s must be between 1 ms and 7 days", name)
	}
	return d, nil
}

// status handles GET /status/{id}.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	j, ok := s.visible(r.PathValue("id"), now)
	var obj jobObject
	if ok {
		obj = j.object(now)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "job not found")
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// cancel handles POST /cancel/{id}: a queued or running job is CANCELLED,
// an ended one stays as it was.
func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	j, ok := s.visible(r.PathValue("id"), now)
	var obj jobObject
	if ok {
		if !terminal(j.state) {
			j.end(runpod.StateCancelled, nil, "")
		}
		obj = j.object(now)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "job not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": obj.ID, "status": obj.Status})
}

// retry handles POST /retry/{id}: a FAILED or TIMED_OUT job that has not
// expired is queued again under the same id.
func (s *Server) retry(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j, ok := s.visible(r.PathValue("id"), time.Now())
	state := ""
	if ok {
		state = j.state
		if state == runpod.StateFailed || state == runpod.StateTimedOut {
			j.retries++
			s.retried++
			s.start(j)
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "job not found")
	case state != runpod.StateFailed && state != runpod.StateTimedOut:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("job is %s: only FAILED or TIMED_OUT jobs can be retried", state))
	default:
		writeJSON(w, http.StatusOK, map[string]string{"id": j.id, "status": runpod.StateInQueue})
	}
}

// health handles GET /health. The stand-in has one worker per job, so a
// worker runs each job in progress and one idles when none is.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	var h runpod.Health
	s.mu.Lock()
	for _, j := range s.jobs {
		switch j.state {
		case runpod.StateInQueue:
			h.Jobs.InQueue++
		case runpod.StateInProgress:
			h.Jobs.InProgress++
		case runpod.StateCompleted:
			h.Jobs.Completed++
		case runpod.StateFailed, runpod.StateTimedOut:
			h.Jobs.Failed++
		}
	}
	h.Jobs.Retried = s.retried
	s.mu.Unlock()
	h.Workers.Running = h.Jobs.InProgress
	if h.Workers.Running == 0 {
		h.Workers.Idle = 1
	}
	writeJSON(w, http.StatusOK, h)
}

// purgeQueue handles POST /purge-queue: queued jobs are dropped, as if
// never submitted; running ones go on.
func (s *Server) purgeQueue(w http.ResponseWriter, r *http.Request) {
	removed := 0
	s.mu.Lock()
	for id, j := range s.jobs {
		if j.state == runpod.StateInQueue {
			j.stopTimers()
			j.cancel()
			delete(s.jobs, id)
			removed++
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"removed": removed, "status": "completed"})
}

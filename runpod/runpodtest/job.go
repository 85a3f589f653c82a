package runpodtest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"phonoglyph/runpod"
)

// workerID is the id every job reports as its worker's.
const workerID = "runpodtest-worker"

// job is one submission. id, input, in and the policy never change; the
// rest is guarded by Server.mu.
type job struct {
	id          string
	input       json.RawMessage // as submitted
	in          runpod.Input    // input decoded; unchecked when a Worker runs the job
	execTimeout time.Duration
	ttl         time.Duration

	state     string
	created   time.Time
	started   time.Time         // zero while queued
	finished  time.Time         // zero until terminal
	progress  any               // the latest progress while IN_PROGRESS, nil before any
	updates   []json.RawMessage // every progress a Worker reported, in order
	output    any
	err       string
	retries   int
	attempt   int                // counts starts, so a stale goroutine or timer changes nothing
	cancel    context.CancelFunc // stops the current attempt
	ttlTimer  *time.Timer
	execTimer *time.Timer // runs while IN_PROGRESS
}

// terminal reports whether a job in state has ended.
func terminal(state string) bool {
	return state != runpod.StateInQueue && state != runpod.StateInProgress
}

// end moves j to a terminal state and stops its current attempt. The caller
// holds Server.mu and has checked that j has not ended.
func (j *job) end(state string, output any, msg string) {
	j.state, j.output, j.err = state, output, msg
	j.progress = nil
	j.finished = time.Now()
	if j.execTimer != nil {
		j.execTimer.Stop()
	}
	j.cancel()
}

// stopTimers stops j's timers; the caller holds Server.mu.
func (j *job) stopTimers() {
	j.ttlTimer.Stop()
	if j.execTimer != nil {
		j.execTimer.Stop()
	}
}

// jobObject is RunPod's job object.
type jobObject struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	DelayTime     int64  `json:"delayTime,omitempty"`     // ms
	ExecutionTime int64  `json:"executionTime,omitempty"` // ms
	Output        any    `json:"output,omitempty"`
	Error         string `json:"error,omitempty"`
	Retries       int    `json:"retries,omitempty"`
	WorkerID      string `json:"workerId,omitempty"`
}

// object returns j as /status shows it at now; the caller holds Server.mu.
func (j *job) object(now time.Time) jobObject {
	o := jobObject{ID: j.id, Status: j.state, Error: j.err, Retries: j.retries}
	if !j.started.IsZero() {
		end := now
		if terminal(j.state) {
			end = j.finished
		}
		o.DelayTime = j.started.Sub(j.created).Milliseconds()
		o.ExecutionTime = end.Sub(j.started).Milliseconds()
		o.WorkerID = workerID
	}
	switch {
	case j.state == runpod.StateInProgress && j.progress != nil:
		o.Output = j.progress
	case j.state == runpod.StateCompleted:
		o.Output = j.output
	}
	return o
}

// visible returns job id if /status still answers for it at now: its ttl
// has not passed and, once it ended, nor has the retention. The caller holds
// s.mu.
func (s *Server) visible(id string, now time.Time) (*job, bool) {
	j, ok := s.jobs[id]
	if !ok || !now.Before(j.created.Add(j.ttl)) {
		return nil, false
	}
	if terminal(j.state) && !now.Before(j.finished.Add(s.opt.Retention)) {
		return nil, false
	}
	return j, true
}

// start queues j for a new attempt and runs it; the caller holds s.mu.
func (s *Server) start(j *job) {
	ctx, cancel := context.WithCancel(s.ctx)
	j.attempt++
	j.state, j.cancel = runpod.StateInQueue, cancel
	j.started, j.finished, j.progress, j.updates, j.output, j.err = time.Time{}, time.Time{}, nil, nil, nil, ""
	if s.closed {
		cancel()
		return
	}
	attempt := j.attempt
	s.wg.Go(func() {
		defer cancel()
		s.work(ctx, j, attempt)
	})
}

// update runs f under s.mu if attempt is still j's current one and has not
// ended, reporting whether it ran.
func (s *Server) update(j *job, attempt int, f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.attempt != attempt || terminal(j.state) {
		return false
	}
	f()
	return true
}

// work is one attempt at j: the queue, then the separation (by the stand-in
// or its Worker), then the end.
func (s *Server) work(ctx context.Context, j *job, attempt int) {
	if !sleep(ctx, s.opt.QueueDelay) {
		return
	}
	if !s.update(j, attempt, func() {
		j.state, j.started = runpod.StateInProgress, time.Now()
		if s.opt.Worker == nil {
			j.progress = runpod.Progress{Stage: "downloading"}
		}
		j.execTimer = time.AfterFunc(j.execTimeout, func() { s.timeOut(j, attempt) })
	}) {
		return
	}
	if s.opt.Worker != nil {
		s.runWorker(ctx, j, attempt)
		return
	}
	out, err := s.separate(ctx, j, attempt)
	if err != nil {
		if ctx.Err() != nil {
			return // cancelled, timed out, failed on purpose or the test ended: the state is set
		}
		s.update(j, attempt, func() { j.end(runpod.StateFailed, nil, exception(err)) })
		return
	}
	s.update(j, attempt, func() { j.end(runpod.StateCompleted, out, "") })
}

// separate does what the GPU worker does, reporting progress on the way,
// and returns the job's output.
func (s *Server) separate(ctx context.Context, j *job, attempt int) (runpod.Output, error) {
	audio, err := s.fetch(ctx, j.in.AudioURL)
	if err != nil {
		return runpod.Output{}, fmt.Errorf("downloading the audio: %w", err)
	}
	const steps = 4
	for i := range steps {
		s.report(j, attempt, "separating", float64(10+20*i))
		if !sleep(ctx, s.opt.RunTime/steps) {
			return runpod.Output{}, ctx.Err()
		}
	}
	stems, err := s.opt.Separate(ctx, j.in, audio)
	if err != nil {
		return runpod.Output{}, fmt.Errorf("separating: %w", err)
	}
	out := runpod.Output{Stems: map[string]runpod.StemOutput{}}
	for i, name := range j.in.Stems {
		s.report(j, attempt, "uploading", float64(90+10*i/len(j.in.Stems)))
		data, ok := stems[name]
		if !ok {
			return runpod.Output{}, fmt.Errorf("separating: no %s stem", name)
		}
		if err := s.upload(ctx, j.in.Outputs[name], runpod.ContentType(j.in.Format), data); err != nil {
			return runpod.Output{}, fmt.Errorf("uploading %s: %w", name, err)
		}
		out.Stems[name] = runpod.StemOutput{Bytes: int64(len(data))}
	}
	return out, nil
}

// report sets the progress /status shows.
func (s *Server) report(j *job, attempt int, stage string, pct float64) {
	s.update(j, attempt, func() { j.progress = runpod.Progress{Stage: stage, Pct: pct} })
}

// timeOut ends an attempt that ran past the execution timeout.
func (s *Server) timeOut(j *job, attempt int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.attempt == attempt && j.state == runpod.StateInProgress {
		j.end(runpod.StateTimedOut, nil, "")
	}
}

// expire ends a job whose ttl passed before it did; /status no longer
// answers for it either way.
func (s *Server) expire(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !terminal(j.state) {
		j.end(runpod.StateTimedOut, nil, "")
	}
}

// sleep waits d unless ctx is done first, reporting whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// exception returns err as RunPod reports a handler that raised it.
func exception(err error) string {
	b, _ := json.Marshal(struct { // strings only: it cannot fail
		Type      string `json:"error_type"`
		Message   string `json:"error_message"`
		Traceback string `json:"error_traceback"`
		Hostname  string `json:"hostname"`
		WorkerID  string `json:"worker_id"`
		Version   string `json:"runpod_version"`
	}{
		Type:      "<class 'RuntimeError'>",
		Message:   err.Error(),
		Traceback: "Traceback (most recent call last):\n  File \"handler.py\", line 1, in handler\nRuntimeError: " + err.Error() + "\n",
		Hostname:  "runpodtest",
		WorkerID:  workerID,
		Version:   "1.7.9",
	})
	return string(b)
}

package runpodtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"phonoglyph/runpod"
)

// Worker runs one attempt at a job as the GPU worker behind an endpoint
// does: it gets the job's id and input as submitted, passes each value the
// handler gives progress_update to progress, and returns the result the
// RunPod SDK sends when the handler has ended. An error means the worker
// itself broke (it crashed, or sent no result); the job then ends FAILED
// with it. A Worker gives up when ctx is done.
type Worker func(ctx context.Context, id string, input json.RawMessage, progress func(json.RawMessage)) (WorkerResult, error)

// WorkerResult is the result the RunPod SDK sends for a handler that has
// ended: its output, and an error when the handler returned {"error": …}
// (the SDK takes it out of the output) or raised (the error is then the JSON
// of the exception). RunPod reports a result with an error as FAILED with
// that error, any other as COMPLETED with the output.
type WorkerResult struct {
	Output json.RawMessage `json:"output"`
	Error  json.RawMessage `json:"error"`
}

// runWorker runs one attempt at j with the Worker, relaying its progress,
// and ends j as RunPod ends a job with that result.
func (s *Server) runWorker(ctx context.Context, j *job, attempt int) {
	res, err := s.opt.Worker(ctx, j.id, j.input, func(p json.RawMessage) {
		p = bytes.Clone(p)
		s.update(j, attempt, func() {
			j.progress = p
			j.updates = append(j.updates, p)
		})
	})
	switch {
	case ctx.Err() != nil:
		// cancelled, timed out or the test ended: the state is set
	case err != nil:
		s.update(j, attempt, func() { j.end(runpod.StateFailed, nil, "worker: "+err.Error()) })
	case !absent(res.Error):
		s.update(j, attempt, func() { j.end(runpod.StateFailed, nil, text(res.Error)) })
	case absent(res.Output):
		s.update(j, attempt, func() { j.end(runpod.StateCompleted, nil, "") })
	default:
		s.update(j, attempt, func() { j.end(runpod.StateCompleted, res.Output, "") })
	}
}

// absent reports whether a JSON value is missing or null.
func absent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// text is a JSON value as RunPod shows an error: a string as itself,
// anything else as its JSON.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// maxMessage bounds one line a worker process sends.
const maxMessage = 1 << 20

// Process returns a Worker that runs each attempt as a process, as RunPod
// runs a handler. command makes the process; build it with
// exec.CommandContext(ctx, …) so that it is killed when the attempt ends
// early. Process writes the job to its stdin as JSON, {"id", "input"}, and
// reads from its file descriptor 3 what the RunPod SDK would send RunPod,
// one JSON message a line: {"status": "IN_PROGRESS", "output": …} for each
// progress_update, then the result, {"output": …} and/or {"error": …}. That
// is the channel of the fake SDK in runpod/worker/tests/harness. Whatever
// the process writes to stdout and stderr ends, cut to its last 4 KiB, in
// the error of a process that fails or sends no result.
func Process(command func(ctx context.Context) *exec.Cmd) Worker {
	return func(ctx context.Context, id string, input json.RawMessage, progress func(json.RawMessage)) (WorkerResult, error) {
		job, err := json.Marshal(struct {
			ID    string          `json:"id"`
			Input json.RawMessage `json:"input"`
		}{id, input})
		if err != nil {
			return WorkerResult{}, err
		}
		channel, end, err := os.Pipe()
		if err != nil {
			return WorkerResult{}, err
		}
		defer channel.Close()
		cmd := command(ctx)
		logs := &tail{max: 4 << 10}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(job), logs, logs
		cmd.ExtraFiles = []*os.File{end}
		cmd.WaitDelay = 5 * time.Second // a killed process's children may hold its pipes
		err = cmd.Start()
		end.Close() // the process holds its own copy
		if err != nil {
			return WorkerResult{}, err
		}
		result, readErr := readChannel(channel, progress)
		if err := cmd.Wait(); err != nil {
			return WorkerResult{}, fmt.Errorf("the worker process failed (%v): %s", err, logs)
		}
		if readErr != nil {
			return WorkerResult{}, fmt.Errorf("%w: %s", readErr, logs)
		}
		return result, nil
	}
}

// readChannel reads a worker process's messages until it closes the
// channel, passing progress on, and returns its one result.
func readChannel(channel *os.File, progress func(json.RawMessage)) (WorkerResult, error) {
	var result *WorkerResult
	var bad error
	sc := bufio.NewScanner(channel)
	sc.Buffer(make([]byte, 0, 64<<10), maxMessage)
	for sc.Scan() {
		var msg struct {
			Status string `json:"status"`
			WorkerResult
		}
		switch err := json.Unmarshal(sc.Bytes(), &msg); {
		case bad != nil:
			// read on, so the process never blocks on a full pipe
		case err != nil:
			bad = fmt.Errorf("the worker process sent a line that is not JSON: %w", err)
		case msg.Status == runpod.StateInProgress:
			progress(msg.Output)
		case result != nil:
			bad = errors.New("the worker process sent a second result")
		default:
			result = &msg.WorkerResult
		}
	}
	if err := sc.Err(); err != nil {
		_, _ = io.Copy(io.Discard, channel) // the process must not block on a full pipe
		return WorkerResult{}, fmt.Errorf("reading the worker process: %w", err)
	}
	switch {
	case bad != nil:
		return WorkerResult{}, bad
	case result == nil:
		return WorkerResult{}, errors.New("the worker process sent no result")
	}
	return *result, nil
}

// tail keeps the last max bytes written to it; it is safe for concurrent
// use (stdout and stderr are copied by two goroutines).
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// String returns what was kept, without surrounding white space.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

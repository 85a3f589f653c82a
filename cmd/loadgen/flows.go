package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Step names, as the report prints them.
const (
	stepDeclare  = "POST /files (declare)"
	stepPut      = "PUT upload URL"
	stepComplete = "POST /files/{id}/complete"
	stepFlow     = "upload flow (declare→complete)"
	stepPoll     = "GET /jobs/{id} (follow)"
	stepDone     = "job done (complete→terminal)"
	stepSSE      = "GET /jobs/{id}/events (connect)"
	stepJob      = "GET /jobs/{id}"
	stepList     = "GET /files?limit=20"
	stepSeed     = "POST /files (seed)"
)

// Follow modes: how an upload flow follows its job after completion.
const (
	followNone = "none"
	followPoll = "poll"
	followSSE  = "sse"
)

// job is the part of the job-status shape the tool reads.
type job struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

func (j job) finished() bool {
	return j.Status == "completed" || j.Status == "failed" || j.Status == "cancelled"
}

// uploaded is a declared (and, after upload, PUT and completed) file.
type uploaded struct {
	fileID, jobID string
	upload        struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	}
}

// declare declares a WAV upload of size bytes, recorded under step.
func (c *client) declare(ctx context.Context, token string, size int, step string) (*uploaded, error) {
	var created struct {
		File struct {
			ID string `json:"id"`
		} `json:"file"`
		Upload json.RawMessage `json:"upload"`
	}
	decl, err := json.Marshal(map[string]any{"file_name": "loadgen.wav", "file_size": size, "mime_type": "audio/wav"})
	if err != nil {
		return nil, err
	}
	if err := c.do(ctx, request{step: step, method: "POST", url: "/api/v1/files", token: token, body: decl,
		headers: jsonHeaders, want: 201}, &created); err != nil {
		return nil, err
	}
	u := &uploaded{fileID: created.File.ID}
	if err := json.Unmarshal(created.Upload, &u.upload); err != nil {
		return nil, fmt.Errorf("POST /api/v1/files: upload: %w", err)
	}
	return u, nil
}

// upload runs the frontend's upload flow with data as a WAV file:
// declare → PUT → complete.
func (c *client) upload(ctx context.Context, token string, data []byte) (*uploaded, error) {
	start := time.Now()
	u, err := c.declare(ctx, token, len(data), stepDeclare)
	if err != nil {
		return nil, err
	}
	if err := c.do(ctx, request{step: stepPut, method: u.upload.Method, url: u.upload.URL, body: data,
		headers: u.upload.Headers, want: 200}, nil); err != nil {
		return nil, err
	}
	var done struct {
		Jobs []job `json:"jobs"`
	}
	if err := c.do(ctx, request{step: stepComplete, method: "POST", url: "/api/v1/files/" + u.fileID + "/complete",
		token: token, want: 200}, &done); err != nil {
		return nil, err
	}
	if len(done.Jobs) == 0 {
		return nil, errors.New("complete: no job was queued for the upload")
	}
	u.jobID = done.Jobs[0].ID
	c.rec.add(stepFlow, time.Since(start), nil)
	return u, nil
}

// followJob waits until the job ends, by polling GET /jobs/{id} every
// interval or through its SSE stream, and records how long that took.
func (c *client) followJob(run context.Context, token, id, mode string, interval, timeout time.Duration) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(run, timeout)
	defer cancel()
	var err error
	switch mode {
	case followPoll:
		err = c.poll(ctx, token, id, interval)
	case followSSE:
		err = c.stream(ctx, token, id)
	default:
		return fmt.Errorf("follow mode %q", mode)
	}
	if run.Err() != nil {
		return run.Err() // the run ended first: no outcome to record
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("job %s did not end within %s", id, timeout)
	}
	c.rec.add(stepDone, time.Since(start), err)
	return err
}

func (c *client) poll(ctx context.Context, token, id string, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		var j job
		if err := c.do(ctx, request{step: stepPoll, method: "GET", url: "/api/v1/jobs/" + id, token: token, want: 200}, &j); err != nil {
			return err
		}
		if j.finished() {
			return jobOutcome(j)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// jobOutcome is nil for a completed job and an error naming why otherwise.
func jobOutcome(j job) error {
	if j.Status == "completed" {
		return nil
	}
	return fmt.Errorf("job %s %s: %s", j.ID, j.Status, j.Error)
}

// getJob reads one job's status (the frontend's polling request).
func (c *client) getJob(ctx context.Context, token, id string) error {
	return c.do(ctx, request{step: stepJob, method: "GET", url: "/api/v1/jobs/" + id, token: token, want: 200}, nil)
}

// listFiles reads the first page of the caller's files.
func (c *client) listFiles(ctx context.Context, token string) error {
	return c.do(ctx, request{step: stepList, method: "GET", url: "/api/v1/files?limit=20", token: token, want: 200}, nil)
}

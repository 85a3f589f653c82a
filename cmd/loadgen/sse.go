package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxEventLine caps one line of an event stream.
const maxEventLine = 1 << 20

// stream follows a job through its Server-Sent Events stream
// (GET /api/v1/jobs/{id}/events, issue 13: each event is the job-status
// shape) until an event says the job ended. The connect step is recorded
// from the request to the stream's headers.
func (c *client) stream(ctx context.Context, token, id string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/jobs/"+id+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	start := time.Now()
	res, err := c.streamClient().Do(req)
	if err == nil && (res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream")) {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		res.Body.Close()
		err = fmt.Errorf("GET /api/v1/jobs/%s/events: status %d, %s: %s", id, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.rec.add(stepSSE, time.Since(start), err)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return readEvents(res.Body, func(data string) (bool, error) {
		var j job
		if err := json.Unmarshal([]byte(data), &j); err != nil {
			return false, fmt.Errorf("event data is not a job: %w", err)
		}
		if j.finished() {
			return true, jobOutcome(j)
		}
		return false, nil
	})
}

// streamClient is the tool's client without its overall timeout, which a
// long-lived stream would hit; the follow timeout bounds it instead.
func (c *client) streamClient() *http.Client {
	cl := *c.http
	cl.Timeout = 0
	return &cl
}

// readEvents parses a text/event-stream body and hands each event's data
// (its data lines joined by newlines) to handle until handle reports done,
// fails, or the stream ends. Comments (heartbeats) and other fields are
// skipped.
func readEvents(r io.Reader, handle func(data string) (done bool, err error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxEventLine)
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) == 0 {
				continue
			}
			done, err := handle(strings.Join(data, "\n"))
			if done || err != nil {
				return err
			}
			data = data[:0]
		case strings.HasPrefix(line, ":"):
		case line == "data" || strings.HasPrefix(line, "data:"):
			v := strings.TrimPrefix(line, "data")
			v = strings.TrimPrefix(v, ":")
			data = append(data, strings.TrimPrefix(v, " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the event stream ended before the job did")
}

package runpod

import (
	"context"
	"net/http"
)

// Health is the endpoint's /health answer.
type Health struct {
	Jobs    JobCounts    `json:"jobs"`
	Workers WorkerCounts `json:"workers"`
}

// JobCounts counts the endpoint's recent jobs by state.
type JobCounts struct {
	Completed  int `json:"completed"`
	Failed     int `json:"failed"`
	InProgress int `json:"inProgress"`
	InQueue    int `json:"inQueue"`
	Retried    int `json:"retried"`
}

// WorkerCounts counts the endpoint's workers.
type WorkerCounts struct {
	Idle    int `json:"idle"`
	Running int `json:"running"`
}

// Health asks for the endpoint's job and worker counts; it also checks the
// configuration without submitting anything.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.do(ctx, "health", http.MethodGet, "/health", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

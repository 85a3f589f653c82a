package runpod

import (
	"context"
	"errors"
	"net/http"
	"time"

	"phonoglyph"
)

// Input is the job input the GPU worker receives: the contract in the
// package documentation.
type Input struct {
	AudioURL   string            `json:"audio_url"`   // presigned GET of the source
	Model      string            `json:"model"`       // "spleeter"
	Variant    string            `json:"variant"`     // 2stems, 4stems or 5stems
	Stems      []string          `json:"stems"`       // the stems wanted, a subset of the variant's
	SampleRate int               `json:"sample_rate"` // 44100 or 48000
	Format     string            `json:"format"`      // wav or mp3
	Outputs    map[string]string `json:"outputs"`     // stem → presigned PUT URL
}

// ContentType is the Content-Type the GPU worker sends with each stem it
// uploads in format ("wav" or "mp3"); presign the PUT URLs for it.
func ContentType(format string) string {
	if format == "mp3" {
		return "audio/mpeg"
	}
	return "audio/wav"
}

// Policy bounds a job's life at RunPod; a zero field leaves RunPod's default
// (executionTimeout 10 minutes, ttl 24 hours). RunPod accepts an
// ExecutionTimeout of 5 s to 7 days and a TTL of 10 s to 7 days; the TTL
// counts time in the queue and running, and when it passes RunPod drops the
// job, even mid-run.
type Policy struct {
	ExecutionTimeout time.Duration
	TTL              time.Duration
}

// runRequest is the body of POST /run; RunPod takes durations in
// milliseconds.
type runRequest struct {
	Input  Input       `json:"input"`
	Policy *policyBody `json:"policy,omitempty"`
}

type policyBody struct {
	ExecutionTimeout int64 `json:"executionTimeout,omitempty"`
	TTL              int64 `json:"ttl,omitempty"`
}

// Run submits a separation and returns RunPod's job id. Callers commit the id
// before they poll, so a retried worker resumes the job instead of
// submitting it again. An error that IsRetryable may still hide an accepted
// job whose answer was lost.
func (c *Client) Run(ctx context.Context, in Input, p Policy) (string, error) {
	if p.ExecutionTimeout < 0 || p.TTL < 0 {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "A RunPod execution timeout or ttl is negative.")
	}
	req := runRequest{Input: in}
	if p != (Policy{}) {
		req.Policy = &policyBody{ExecutionTimeout: millis(p.ExecutionTimeout), TTL: millis(p.TTL)}
	}
	var res struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, "run", http.MethodPost, "/run", req, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		return "", errors.New("runpod: run: the answer has no job id")
	}
	return res.ID, nil
}

// millis rounds d up to whole milliseconds, so a positive duration never
// becomes 0 (which would mean RunPod's default).
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

package runpod

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"phonoglyph"
)

// DefaultBaseURL is the root of RunPod's serverless API.
const DefaultBaseURL = "https://api.runpod.ai/v2"

// maxResponse caps every response body the client reads: RunPod answers with
// small job objects, so anything larger is not an answer to trust.
const maxResponse = 1 << 20

// defaultTimeout bounds each request when Config.HTTPClient is nil, so a
// stalled connection cannot hold a worker past its context.
const defaultTimeout = 30 * time.Second

// Config of an endpoint.
type Config struct {
	// BaseURL is the API root, DefaultBaseURL when empty; tests point it at
	// a runpodtest.Server.
	BaseURL string
	// EndpointID is the serverless endpoint (RUNPOD_ENDPOINT_ID).
	EndpointID string
	// APIKey is sent as a bearer token (RUNPOD_API_KEY).
	APIKey string
	// HTTPClient sends the requests; when nil, a client with a 30-second
	// timeout per request.
	HTTPClient *http.Client
}

// Client talks to one serverless endpoint. It is safe for concurrent use.
type Client struct {
	endpoint string // BaseURL + "/" + endpoint id, without a trailing slash
	key      string
	http     *http.Client
}

// New returns a client for cfg, or an EINVALID error naming what is missing.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The RunPod API key is empty: set RUNPOD_API_KEY.")
	}
	if strings.TrimSpace(cfg.EndpointID) == "" {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The RunPod endpoint id is empty: set RUNPOD_ENDPOINT_ID.")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The RunPod base URL %q is not an absolute http(s) URL.", base)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{
		endpoint: strings.TrimRight(base, "/") + "/" + url.PathEscape(cfg.EndpointID),
		key:      cfg.APIKey,
		http:     hc,
	}, nil
}

// do sends a request to the endpoint, with body as JSON unless it is nil, and
// decodes a 2xx answer into out unless out is nil. op names the operation in
// errors, which are classified as errors.go describes.
func (c *Client) do(ctx context.Context, op, method, path string, body, out any) error {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("runpod: %s: %w", op, err)
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, payload)
	if err != nil {
		return fmt.Errorf("runpod: %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return transportError(ctx, op, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponse+1))
	if err != nil {
		return transportError(ctx, op, err)
	}
	if res.StatusCode/100 != 2 {
		return statusError(op, res, data)
	}
	if len(data) > maxResponse {
		return fmt.Errorf("runpod: %s: the answer is larger than %d bytes", op, maxResponse)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("runpod: %s: decoding the answer: %w", op, err)
	}
	return nil
}

// transportError classifies a failure to exchange a request: the caller's
// own cancellation is final, anything else (refused or reset connections,
// timeouts of the HTTP client) may succeed later.
func transportError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("runpod: %s: %w", op, ctxErr)
	}
	return &RetryableError{Err: fmt.Errorf("runpod: %s: %w", op, err)}
}

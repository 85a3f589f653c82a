package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody caps a response body the tool reads (an analysis document is the
// largest answer a flow could ask for).
const maxBody = 64 << 20

// client sends the frontend's requests to one deployment and records each
// one under its step.
type client struct {
	base  string // e.g. http://127.0.0.1:3001
	http  *http.Client
	guard guard
	rec   *recorder
}

func newClient(base string, clients int, g guard, rec *recorder) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 2*clients, 2*clients
	return &client{base: strings.TrimRight(base, "/"), guard: g, rec: rec,
		http: &http.Client{Transport: tr, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// request is one request of a flow.
type request struct {
	step    string // the name its latency is recorded under
	method  string
	url     string // absolute, or a path on the deployment
	token   string
	body    []byte
	headers map[string]string
	want    int // the status that means success
}

// do sends r, records its latency (up to the last byte of the answer) and
// decodes a JSON answer into out when out is not nil.
func (c *client) do(ctx context.Context, r request, out any) error {
	url := r.url
	if strings.HasPrefix(url, "/") {
		url = c.base + url
	} else if !sameOrigin(url, c.base) {
		if err := c.guard.check(ctx, url); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, url, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	if r.body == nil {
		req.Body, req.GetBody = http.NoBody, nil
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the run ended: not the deployment's failure
		}
		c.rec.add(r.step, time.Since(start), err)
		return err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	elapsed := time.Since(start)
	if err == nil && res.StatusCode != r.want {
		err = fmt.Errorf("%s %s: status %d, want %d: %.200s", r.method, req.URL.Path, res.StatusCode, r.want, body)
	}
	if err == nil && out != nil {
		if jerr := json.Unmarshal(body, out); jerr != nil {
			err = fmt.Errorf("%s %s: decode answer: %w", r.method, req.URL.Path, jerr)
		}
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	c.rec.add(r.step, elapsed, err)
	return err
}

var jsonHeaders = map[string]string{"Content-Type": "application/json"}

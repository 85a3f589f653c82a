package runpod_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
)

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cfg  runpod.Config
		want string
	}{
		"no key":      {runpod.Config{EndpointID: "ep"}, "RUNPOD_API_KEY"},
		"no endpoint": {runpod.Config{APIKey: "k"}, "RUNPOD_ENDPOINT_ID"},
		"bad base":    {runpod.Config{APIKey: "k", EndpointID: "ep", BaseURL: "api.runpod.ai/v2"}, "base URL"},
	}
	for name, tt := range tests {
		if _, err := runpod.New(tt.cfg); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID || !strings.Contains(phonoglyph.ErrorMessage(err), tt.want) {
			t.Errorf("%s: %v, want EINVALID naming %s", name, err, tt.want)
		}
	}
	if _, err := runpod.New(runpod.Config{APIKey: "k", EndpointID: "ep"}); err != nil {
		t.Errorf("default base URL: %v", err)
	}
}

func TestWrongKeyIsUnauthorized(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	cfg := e.rp.Config()
	cfg.APIKey = "wrong"
	c, err := runpod.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, runErr := c.Run(ctx, e.input("2stems", "vocals"), runpod.Policy{})
	_, statusErr := c.Status(ctx, "job")
	_, healthErr := c.Health(ctx)
	for _, err := range []error{runErr, statusErr, healthErr, c.Cancel(ctx, "job")} {
		if !errors.Is(err, runpod.ErrUnauthorized) || !strings.Contains(err.Error(), "RUNPOD_API_KEY") {
			t.Errorf("err %v, want ErrUnauthorized", err)
		}
		if _, retry := runpod.IsRetryable(err); retry {
			t.Errorf("%v is retryable", err)
		}
	}
	if n := e.rp.Runs(); n != 0 {
		t.Errorf("Runs() = %d", n)
	}
}

func TestUnknownEndpointIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	cfg := e.rp.Config()
	cfg.EndpointID = "other"
	c, err := runpod.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), e.input("2stems", "vocals"), runpod.Policy{}); !errors.Is(err, runpod.ErrNotFound) {
		t.Errorf("err %v, want ErrNotFound", err)
	}
}

func TestRateLimitedThenAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	in := e.input("2stems", "vocals")
	e.rp.FailNext(2, http.StatusTooManyRequests)
	_, err := e.client.Run(context.Background(), in, runpod.Policy{})
	if wait, retry := runpod.IsRetryable(err); !retry || wait != time.Second {
		t.Fatalf("err %v: IsRetryable = %v, %v; want 1s, true", err, wait, retry)
	}
	var re *runpod.RetryableError
	if !errors.As(err, &re) || re.Status != http.StatusTooManyRequests {
		t.Errorf("err %#v", err)
	}
	if n := e.rp.Runs(); n != 0 {
		t.Errorf("a rate-limited submission was accepted: Runs() = %d", n)
	}
	if _, err := e.client.Health(context.Background()); err == nil {
		t.Error("the second injected 429 did not come")
	}
	id := e.run(t, in, runpod.Policy{})
	e.poll(t, id, is(runpod.StateCompleted))
	if n := e.rp.Runs(); n != 1 {
		t.Errorf("Runs() = %d, want exactly 1", n)
	}
}

func TestServerErrorIsRetryable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.rp.FailNext(1, http.StatusInternalServerError)
	_, err := e.client.Status(context.Background(), id)
	if wait, retry := runpod.IsRetryable(err); !retry || wait != 0 {
		t.Fatalf("err %v: IsRetryable = %v, %v; want 0, true", err, wait, retry)
	}
	e.poll(t, id, is(runpod.StateCompleted))
}

func TestRetryAfterDate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
		http.Error(w, `{"error":"maintenance"}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, err := runpod.New(runpod.Config{BaseURL: srv.URL, EndpointID: "ep", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Health(context.Background())
	if wait, retry := runpod.IsRetryable(err); !retry || wait <= time.Second || wait > 3*time.Second {
		t.Errorf("err %v: IsRetryable = %v, %v; want 1s–3s, true", err, wait, retry)
	}
	if !strings.Contains(err.Error(), "503 Service Unavailable: maintenance") {
		t.Errorf("err %v does not say what RunPod said", err)
	}
}

func TestNoAnswerIsRetryable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c, err := runpod.New(runpod.Config{BaseURL: "http://" + addr + "/v2", EndpointID: "ep", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Status(context.Background(), "job")
	var re *runpod.RetryableError
	if !errors.As(err, &re) || re.Status != 0 {
		t.Errorf("err %v, want a RetryableError without status", err)
	}
}

func TestCancelledContextIsNotRetryable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.client.Run(ctx, e.input("2stems", "vocals"), runpod.Policy{})
	if _, retry := runpod.IsRetryable(err); retry || !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled, not retryable", err)
	}
}

func TestOddAnswersAreErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		code int
		body string
		want string
	}{
		"oversized":      {200, `{"id":"` + strings.Repeat("x", 2<<20) + `"}`, "larger than"},
		"not json":       {200, `<html>`, "decoding the answer"},
		"unknown status": {200, `{"id":"job","status":"RUNNING"}`, `unknown status "RUNNING"`},
		"teapot":         {http.StatusTeapot, `short and stout`, "unexpected 418 I'm a teapot: short and stout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.code)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := runpod.New(runpod.Config{BaseURL: srv.URL, EndpointID: "ep", APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Status(context.Background(), "job")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one saying %q", err, tt.want)
			}
			if _, retry := runpod.IsRetryable(err); retry {
				t.Error("retryable")
			}
		})
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{RunTime: time.Second})
	done := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.rp.CompleteWithError(done, "nothing")
	failed := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.rp.FailJob(failed, "boom")
	running := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.poll(t, running, is(runpod.StateInProgress))
	h, err := e.client.Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := runpod.Health{
		Jobs:    runpod.JobCounts{Completed: 1, Failed: 1, InProgress: 1},
		Workers: runpod.WorkerCounts{Running: 1},
	}
	if *h != want {
		t.Errorf("health %+v, want %+v", *h, want)
	}
}

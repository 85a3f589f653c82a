package runpod_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
)

func TestStatusFailedExtractsTheError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{RunTime: time.Second})
	exception := `{"error_type":"<class 'torch.cuda.OutOfMemoryError'>","error_message":"CUDA out of memory",` +
		`"error_traceback":"Traceback (most recent call last):\n...","hostname":"gpu-1","worker_id":"w1","runpod_version":"1.7.9"}`
	tests := map[string]struct{ sent, want string }{
		"handler exception": {exception, "CUDA out of memory"},
		"returned error":    {"Stem separation failed.", "Stem separation failed."},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			id := e.run(t, e.input("2stems", "vocals", "accompaniment"), runpod.Policy{})
			e.rp.FailJob(id, tt.sent)
			seen := e.poll(t, id, ended)
			s := seen[len(seen)-1]
			msg, failed := s.Failed()
			if s.State != runpod.StateFailed || s.Error != tt.want || !failed || msg != "stem separation failed at RunPod: "+tt.want {
				t.Errorf("state %s, error %q, Failed() = %q, %v", s.State, s.Error, msg, failed)
			}
		})
	}
	if uploads := e.bucket.uploads(); len(uploads) != 0 {
		t.Errorf("failed jobs uploaded %v", uploads)
	}
}

func TestStatusFailedWhenTheWorkFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{Separate: func(ctx context.Context, in runpod.Input, audio []byte) (map[string][]byte, error) {
		if in.Variant == "5stems" {
			return nil, errors.New("model weights missing")
		}
		return runpodtest.Split(ctx, in, audio)
	}})
	tests := map[string]struct {
		edit func(*runpod.Input)
		want string
	}{
		"source missing": {func(in *runpod.Input) { in.AudioURL = e.bucket.URL + "/gone.wav?X-Signature=get" },
			"downloading the audio: GET answered 404 Not Found"},
		"source not audio": {func(in *runpod.Input) { in.AudioURL = e.bucket.URL + "/notes.txt?X-Signature=get" },
			"separating: the audio is not a WAV file"},
		"upload refused": {func(in *runpod.Input) { in.Outputs["vocals"] = e.bucket.URL + "/forbidden/vocals.wav?X-Signature=put" },
			"uploading vocals: PUT answered 403 Forbidden"},
		"separation error": {func(in *runpod.Input) { in.Variant = "5stems" }, "separating: model weights missing"},
		"mp3 by the default splitter": {func(in *runpod.Input) { in.Format = "mp3" },
			`separating: runpodtest.Split writes wav only, not "mp3"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := e.input("4stems", "vocals")
			tt.edit(&in)
			seen := e.poll(t, e.run(t, in, runpod.Policy{}), ended)
			s := seen[len(seen)-1]
			if s.State != runpod.StateFailed || s.Error != tt.want {
				t.Errorf("state %s, error %q, want FAILED with %q", s.State, s.Error, tt.want)
			}
			if strings.Contains(s.Error, "X-Signature") {
				t.Errorf("the error shows a presigned URL: %s", s.Error)
			}
		})
	}
}

func TestStatusCompletedWithOutputErrorFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{RunTime: time.Second})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.rp.CompleteWithError(id, "Stem separation failed.")
	seen := e.poll(t, id, ended)
	s := seen[len(seen)-1]
	msg, failed := s.Failed()
	if s.State != runpod.StateCompleted || s.Output == nil || s.Output.Error != "Stem separation failed." {
		t.Fatalf("status %+v, output %+v", s, s.Output)
	}
	if !failed || msg != "stem separation failed: Stem separation failed." {
		t.Errorf("Failed() = %q, %v", msg, failed)
	}
}

func TestStatusNotFoundAfterTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{QueueDelay: time.Second})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{TTL: 100 * time.Millisecond})
	if s, err := e.client.Status(context.Background(), id); err != nil || s.State != runpod.StateInQueue {
		t.Fatalf("before the ttl: %+v, %v", s, err)
	}
	e.waitJob(t, id, runpod.StateTimedOut)
	_, err := e.client.Status(context.Background(), id)
	if !errors.Is(err, runpod.ErrNotFound) {
		t.Fatalf("after the ttl: %v, want ErrNotFound", err)
	}
	if _, retry := runpod.IsRetryable(err); retry {
		t.Error("a 404 is retryable")
	}
	if !strings.Contains(err.Error(), "expired after its ttl") {
		t.Errorf("unclear message: %v", err)
	}
}

func TestStatusTimedOutByExecutionTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{RunTime: time.Second})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{ExecutionTimeout: 100 * time.Millisecond})
	seen := e.poll(t, id, ended)
	s := seen[len(seen)-1]
	msg, failed := s.Failed()
	if s.State != runpod.StateTimedOut || !failed || msg != "stem separation timed out at RunPod before it started or finished" {
		t.Errorf("state %s, Failed() = %q, %v", s.State, msg, failed)
	}
	if s.ExecutionTime < 90*time.Millisecond || s.ExecutionTime > 500*time.Millisecond {
		t.Errorf("execution time %v, want about 100ms", s.ExecutionTime)
	}
	if uploads := e.bucket.uploads(); len(uploads) != 0 {
		t.Errorf("a timed-out job uploaded %v", uploads)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{QueueDelay: 100 * time.Millisecond, RunTime: time.Second})
	cancel := func(id, from string) {
		t.Helper()
		if s, err := e.client.Status(context.Background(), id); err != nil || s.State != from {
			t.Fatalf("before cancelling: %+v, %v; want %s", s, err, from)
		}
		if err := e.client.Cancel(context.Background(), id); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		s, err := e.client.Status(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		msg, failed := s.Failed()
		if s.State != runpod.StateCancelled || !failed || msg != "stem separation was cancelled at RunPod" {
			t.Errorf("cancelled from %s: state %s, Failed() = %q, %v", from, s.State, msg, failed)
		}
	}
	queued := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	cancel(queued, runpod.StateInQueue)
	running := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.poll(t, running, is(runpod.StateInProgress))
	cancel(running, runpod.StateInProgress)

	if err := e.client.Cancel(context.Background(), queued); err != nil {
		t.Errorf("cancelling again: %v", err)
	}
	if err := e.client.Cancel(context.Background(), "no-such-job"); !errors.Is(err, runpod.ErrNotFound) {
		t.Errorf("cancelling an unknown job: %v", err)
	}
	time.Sleep(150 * time.Millisecond) // past the queue delay of the job cancelled in the queue
	for _, id := range []string{queued, running} {
		if state, _ := e.rp.Job(id); state != runpod.StateCancelled {
			t.Errorf("the cancelled job %s is %s", id, state)
		}
	}
	if uploads := e.bucket.uploads(); len(uploads) != 0 {
		t.Errorf("cancelled jobs uploaded %v", uploads)
	}
}

func TestStatusNotFoundAfterRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{Retention: 100 * time.Millisecond})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	e.poll(t, id, is(runpod.StateCompleted))
	done := time.Now()
	for {
		_, err := e.client.Status(context.Background(), id)
		if errors.Is(err, runpod.ErrNotFound) {
			break
		}
		if err != nil || time.Since(done) > time.Second {
			t.Fatalf("%v after %v", err, time.Since(done))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if state, _ := e.rp.Job(id); state != runpod.StateCompleted {
		t.Errorf("Job(%s) = %s", id, state)
	}
}

func TestStatusOfUnknownJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	if _, err := e.client.Status(context.Background(), "no-such-job"); !errors.Is(err, runpod.ErrNotFound) {
		t.Errorf("err %v, want ErrNotFound", err)
	}
}

func TestStatusDecodesDefensively(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body   string
		check  func(*runpod.Status) bool
		failed string // Failed's message, "" when not failed
	}{
		"progress clamped": {`{"id":"j","status":"IN_PROGRESS","delayTime":1500.5,"executionTime":20,"output":{"stage":"separating","pct":150}}`,
			func(s *runpod.Status) bool {
				return s.Progress.Pct == 100 && s.DelayTime == 1500500*time.Microsecond && s.ExecutionTime == 20*time.Millisecond
			}, ""},
		"progress not ours": {`{"id":"j","status":"IN_PROGRESS","output":"warming up"}`,
			func(s *runpod.Status) bool { return s.Progress == nil }, ""},
		"no progress yet": {`{"id":"j","status":"IN_PROGRESS"}`,
			func(s *runpod.Status) bool { return s.Progress == nil }, ""},
		"completed without output": {`{"id":"j","status":"COMPLETED","output":null}`,
			func(s *runpod.Status) bool { return s.Output == nil }, "stem separation finished at RunPod without any stems"},
		"completed with unreadable stems": {`{"id":"j","status":"COMPLETED","output":{"stems":["vocals"]}}`,
			func(s *runpod.Status) bool { return s.Output != nil && s.Output.Stems == nil },
			"stem separation finished at RunPod without any stems"},
		"completed with keys": {`{"id":"j","status":"COMPLETED","output":{"stems":{"vocals":{"key":"stems/a/vocals.wav","bytes":7}}}}`,
			func(s *runpod.Status) bool { return s.Output.Stems["vocals"].Bytes == 7 }, ""},
		"failed with the error in the output": {`{"id":"j","status":"FAILED","output":{"error":"bad audio"}}`,
			func(s *runpod.Status) bool { return s.Error == "bad audio" }, "stem separation failed at RunPod: bad audio"},
		"failed with an exception object": {`{"id":"j","status":"FAILED","error":{"error_type":"ValueError","error_message":"bad audio"}}`,
			func(s *runpod.Status) bool { return s.Error == "bad audio" }, "stem separation failed at RunPod: bad audio"},
		"failed without a word": {`{"id":"j","status":"FAILED"}`,
			func(s *runpod.Status) bool { return s.Error == "" }, "stem separation failed at RunPod"},
		"no id in the answer": {`{"status":"IN_QUEUE"}`,
			func(s *runpod.Status) bool { return s.ID == "job" }, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := runpod.New(runpod.Config{BaseURL: srv.URL, EndpointID: "ep", APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.Status(context.Background(), "job")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("decoded %+v (output %+v, progress %+v)", s, s.Output, s.Progress)
			}
			if msg, _ := s.Failed(); msg != tt.failed {
				t.Errorf("Failed() = %q, want %q", msg, tt.failed)
			}
		})
	}
}

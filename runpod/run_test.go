package runpod_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
)

func TestRunSeparatesWithProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{QueueDelay: 100 * time.Millisecond, RunTime: 300 * time.Millisecond})
	in := e.input("4stems", "vocals", "drums", "bass", "other")
	id := e.run(t, in, runpod.Policy{})
	seen := e.poll(t, id, ended)

	if seen[0].State != runpod.StateInQueue {
		t.Errorf("first state %s, want IN_QUEUE", seen[0].State)
	}
	var progress []runpod.Progress
	for _, s := range seen {
		if s.State == runpod.StateInProgress && s.Progress != nil {
			progress = append(progress, *s.Progress)
		}
	}
	if !slices.ContainsFunc(progress, func(p runpod.Progress) bool { return p.Stage == "separating" && p.Pct > 0 && p.Pct < 100 }) {
		t.Errorf("no separating progress among %+v", progress)
	}
	if !slices.IsSortedFunc(progress, func(a, b runpod.Progress) int { return cmp.Compare(a.Pct, b.Pct) }) {
		t.Errorf("progress went back: %+v", progress)
	}

	last := seen[len(seen)-1]
	if msg, failed := last.Failed(); last.State != runpod.StateCompleted || failed {
		t.Fatalf("ended %s (%q), want COMPLETED", last.State, msg)
	}
	if last.ID != id || last.DelayTime < 90*time.Millisecond || last.ExecutionTime < 250*time.Millisecond {
		t.Errorf("id %s delay %v execution %v", last.ID, last.DelayTime, last.ExecutionTime)
	}
	want := expectedStems(t, in)
	uploads := e.bucket.uploads()
	if len(uploads) != 4 || len(last.Output.Stems) != 4 {
		t.Errorf("uploads %d, output stems %v; want 4 of each", len(uploads), last.Output.Stems)
	}
	for _, name := range in.Stems {
		up, ok := uploads["/stems/"+name+".wav"]
		switch {
		case !ok:
			t.Errorf("%s was not uploaded", name)
		case up.ContentType != "audio/wav" || up.ContentLength != int64(len(up.Body)):
			t.Errorf("%s: Content-Type %q, Content-Length %d for %d bytes", name, up.ContentType, up.ContentLength, len(up.Body))
		case !bytes.Equal(up.Body, want[name]):
			t.Errorf("%s: uploaded %d bytes unlike the split's %d", name, len(up.Body), len(want[name]))
		case last.Output.Stems[name].Bytes != int64(len(up.Body)):
			t.Errorf("%s: output says %d bytes, uploaded %d", name, last.Output.Stems[name].Bytes, len(up.Body))
		}
	}
	if n := e.rp.Runs(); n != 1 {
		t.Errorf("Runs() = %d, want 1", n)
	}
	if state, _ := e.rp.Job(id); state != runpod.StateCompleted {
		t.Errorf("Job(%s) = %s", id, state)
	}
}

func TestRunUploadsOnlyRequestedStems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	id := e.run(t, e.input("2stems", "vocals"), runpod.Policy{})
	seen := e.poll(t, id, ended)
	s := seen[len(seen)-1]
	if _, failed := s.Failed(); failed || len(s.Output.Stems) != 1 {
		t.Fatalf("status %+v, output %+v", s, s.Output)
	}
	if uploads := e.bucket.uploads(); len(uploads) != 1 || uploads["/stems/vocals.wav"].Body == nil {
		t.Errorf("uploads %v, want only vocals", uploads)
	}
}

func TestRunRejectsInvalidInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	tests := map[string]struct {
		edit func(*runpod.Input)
		want string
	}{
		"missing output":  {func(in *runpod.Input) { delete(in.Outputs, "drums") }, "outputs.drums is missing"},
		"no audio url":    {func(in *runpod.Input) { in.AudioURL = "" }, "audio_url is missing"},
		"unknown variant": {func(in *runpod.Input) { in.Variant = "3stems" }, `variant "3stems"`},
		"stem of another variant": {func(in *runpod.Input) {
			in.Stems = append(in.Stems, "piano")
			in.Outputs["piano"] = in.Outputs["vocals"]
		}, `stem "piano"`},
		"format":      {func(in *runpod.Input) { in.Format = "flac" }, `format "flac"`},
		"sample rate": {func(in *runpod.Input) { in.SampleRate = 22050 }, "sample_rate 22050"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := e.input("4stems", "vocals", "drums")
			tt.edit(&in)
			_, err := e.client.Run(context.Background(), in, runpod.Policy{})
			if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID || !strings.Contains(phonoglyph.ErrorMessage(err), tt.want) {
				t.Errorf("err %v, want EINVALID saying %q", err, tt.want)
			}
			if _, retry := runpod.IsRetryable(err); retry {
				t.Error("a 400 is retryable")
			}
		})
	}
	if n := e.rp.Runs(); n != 0 {
		t.Errorf("Runs() = %d after rejected submissions", n)
	}
}

func TestRunWithoutInputIs400(t *testing.T) {
	t.Parallel()
	rp := runpodtest.Start(t, runpodtest.Options{})
	for _, body := range []string{`{}`, `{"input":null}`, `{"policy":{"ttl":60000}}`, `not json`} {
		if code, msg := rawPost(t, rp, "/run", body); code != http.StatusBadRequest {
			t.Errorf("POST /run %s: %d %s, want 400", body, code, msg)
		}
	}
	if n := rp.Runs(); n != 0 {
		t.Errorf("Runs() = %d", n)
	}
}

func TestRunSendsPolicyInMilliseconds(t *testing.T) {
	t.Parallel()
	var bodies []map[string]any
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/ep/run" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		auth = r.Header.Get("Authorization")
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			t.Error(err)
		}
		bodies = append(bodies, body)
		_, _ = w.Write([]byte(`{"id":"job-1","status":"IN_QUEUE"}`))
	}))
	defer srv.Close()
	c, err := runpod.New(runpod.Config{BaseURL: srv.URL + "/v2/", EndpointID: "ep", APIKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	in := runpod.Input{AudioURL: "https://r2/src", Stems: []string{"vocals"}}
	for _, p := range []runpod.Policy{{ExecutionTimeout: 10 * time.Minute, TTL: 1500 * time.Microsecond}, {}} {
		if id, err := c.Run(context.Background(), in, p); err != nil || id != "job-1" {
			t.Fatalf("Run: %q, %v", id, err)
		}
	}
	if auth != "Bearer secret" {
		t.Errorf("Authorization %q", auth)
	}
	policy, _ := bodies[0]["policy"].(map[string]any)
	if policy["executionTimeout"] != 600000.0 || policy["ttl"] != 2.0 {
		t.Errorf("policy %v, want executionTimeout 600000 and ttl 2 (rounded up)", bodies[0]["policy"])
	}
	if input, _ := bodies[0]["input"].(map[string]any); input["audio_url"] != "https://r2/src" {
		t.Errorf("input %v", bodies[0]["input"])
	}
	if _, ok := bodies[1]["policy"]; ok {
		t.Errorf("a zero policy was sent: %v", bodies[1])
	}
}

func TestRunRejectsNegativePolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, runpodtest.Options{})
	_, err := e.client.Run(context.Background(), e.input("2stems", "vocals"), runpod.Policy{TTL: -time.Second})
	if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID || e.rp.Runs() != 0 {
		t.Errorf("err %v, runs %d", err, e.rp.Runs())
	}
}

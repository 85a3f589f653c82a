package runpodtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
)

// call sends a request to the endpoint with the given Authorization header
// and decodes the JSON answer.
func call(t *testing.T, s *runpodtest.Server, method, path, auth, body string) (int, map[string]any) {
	t.Helper()
	cfg := s.Config()
	req, err := http.NewRequest(method, cfg.BaseURL+"/"+cfg.EndpointID+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// submit posts a job whose source and outputs nobody serves, so it fails
// once it starts.
func submit(t *testing.T, s *runpodtest.Server, policy string) string {
	t.Helper()
	body := `{"input":{"audio_url":"http://127.0.0.1:1/song.wav","model":"spleeter","variant":"2stems",` +
		`"stems":["vocals"],"sample_rate":44100,"format":"wav","outputs":{"vocals":"http://127.0.0.1:1/vocals.wav"}},"policy":` + policy + `}`
	code, out := call(t, s, "POST", "/run", "Bearer "+runpodtest.DefaultAPIKey, body)
	id, _ := out["id"].(string)
	if code != http.StatusOK || id == "" || out["status"] != runpod.StateInQueue {
		t.Fatalf("POST /run: %d %v", code, out)
	}
	return id
}

// wait waits up to 2 s for job id to be in state.
func wait(t *testing.T, s *runpodtest.Server, id, state string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got, _ := s.Job(id); got == state {
			return
		}
	}
	got, _ := s.Job(id)
	t.Fatalf("job %s is %s, want %s", id, got, state)
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	s := runpodtest.Start(t, runpodtest.Options{})
	tests := map[string]int{
		"Bearer " + runpodtest.DefaultAPIKey: http.StatusOK,
		runpodtest.DefaultAPIKey:             http.StatusOK, // the bare key, as RunPod's docs also show
		"":                                   http.StatusUnauthorized,
		"Bearer wrong":                       http.StatusUnauthorized,
		"Basic " + runpodtest.DefaultAPIKey:  http.StatusUnauthorized,
	}
	for auth, want := range tests {
		if code, _ := call(t, s, "GET", "/health", auth, ""); code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, code, want)
		}
	}
}

func TestRetryOnlyFromFailedOrTimedOut(t *testing.T) {
	t.Parallel()
	s := runpodtest.Start(t, runpodtest.Options{})
	auth := "Bearer " + runpodtest.DefaultAPIKey
	id := submit(t, s, `{}`)
	wait(t, s, id, runpod.StateFailed)

	code, out := call(t, s, "POST", "/retry/"+id, auth, "")
	if code != http.StatusOK || out["id"] != id || out["status"] != runpod.StateInQueue {
		t.Fatalf("retry of a FAILED job: %d %v", code, out)
	}
	wait(t, s, id, runpod.StateFailed)
	code, out = call(t, s, "GET", "/status/"+id, auth, "")
	msg, _ := out["error"].(string)
	if code != http.StatusOK || out["retries"] != 1.0 || !strings.Contains(msg, "downloading the audio") {
		t.Errorf("status after the retry: %d %v", code, out)
	}
	if strings.Contains(msg, "song.wav") {
		t.Errorf("the error shows the presigned URL: %s", msg)
	}
	if code, out := call(t, s, "GET", "/health", auth, ""); out["jobs"].(map[string]any)["retried"] != 1.0 {
		t.Errorf("health: %d %v", code, out)
	}
	if n := s.Runs(); n != 1 {
		t.Errorf("Runs() = %d: a retry is not a submission", n)
	}

	queued := runpodtest.Start(t, runpodtest.Options{QueueDelay: time.Second})
	cancelled := submit(t, queued, `{}`)
	call(t, queued, "POST", "/cancel/"+cancelled, auth, "")
	if code, out := call(t, queued, "POST", "/retry/"+cancelled, auth, ""); code != http.StatusBadRequest {
		t.Errorf("retry of a CANCELLED job: %d %v", code, out)
	}
	if code, out := call(t, s, "POST", "/retry/no-such-job", auth, ""); code != http.StatusNotFound {
		t.Errorf("retry of an unknown job: %d %v", code, out)
	}

	expired := submit(t, s, `{"ttl":50}`)
	wait(t, s, expired, runpod.StateFailed)
	time.Sleep(60 * time.Millisecond)
	if code, out := call(t, s, "POST", "/retry/"+expired, auth, ""); code != http.StatusNotFound {
		t.Errorf("retry after the ttl: %d %v", code, out)
	}
}

func TestPurgeQueue(t *testing.T) {
	t.Parallel()
	s := runpodtest.Start(t, runpodtest.Options{QueueDelay: time.Second})
	auth := "Bearer " + runpodtest.DefaultAPIKey
	ids := []string{submit(t, s, `{}`), submit(t, s, `{}`)}
	code, out := call(t, s, "POST", "/purge-queue", auth, "")
	if code != http.StatusOK || out["removed"] != 2.0 || out["status"] != "completed" {
		t.Fatalf("purge: %d %v", code, out)
	}
	for _, id := range ids {
		if code, _ := call(t, s, "GET", "/status/"+id, auth, ""); code != http.StatusNotFound {
			t.Errorf("status of a purged job: %d", code)
		}
		if _, ok := s.Job(id); ok {
			t.Errorf("Job(%s) still known", id)
		}
	}
}

func TestRunPolicyAndPayloadLimits(t *testing.T) {
	t.Parallel()
	s := runpodtest.Start(t, runpodtest.Options{})
	auth := "Bearer " + runpodtest.DefaultAPIKey
	input := `{"audio_url":"http://127.0.0.1:1/a","model":"spleeter","variant":"2stems","stems":["vocals"],` +
		`"sample_rate":44100,"format":"wav","outputs":{"vocals":"http://127.0.0.1:1/v"}}`
	tests := map[string]struct {
		body string
		want int
	}{
		"negative ttl":   {`{"input":` + input + `,"policy":{"ttl":-1}}`, http.StatusBadRequest},
		"ttl over 7 d":   {`{"input":` + input + `,"policy":{"ttl":604800001}}`, http.StatusBadRequest},
		"over 10 MB":     {`{"input":` + input + `,"webhook":"` + strings.Repeat("x", 10<<20) + `"}`, http.StatusRequestEntityTooLarge},
		"extra output":   {strings.Replace(`{"input":`+input+`}`, `"outputs":{`, `"outputs":{"bass":"http://127.0.0.1:1/b",`, 1), http.StatusBadRequest},
		"duplicate stem": {strings.Replace(`{"input":`+input+`}`, `["vocals"]`, `["vocals","vocals"]`, 1), http.StatusBadRequest},
	}
	for name, tt := range tests {
		if code, out := call(t, s, "POST", "/run", auth, tt.body); code != tt.want {
			t.Errorf("%s: %d %v, want %d", name, code, out, tt.want)
		}
	}
	if n := s.Runs(); n != 0 {
		t.Errorf("Runs() = %d", n)
	}
}

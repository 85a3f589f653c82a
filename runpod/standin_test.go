package runpod_test

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/wavtest"
)

// song is the source every job separates: a quarter second of stereo.
var song = wavtest.Sine(44100, 2, 0.25, 440, 0.3)

// bucket stands in for object storage behind presigned URLs: it serves the
// song at /song.wav and some text at /notes.txt, answers 403 to PUTs under /forbidden/ and records
// every other PUT.
type bucket struct {
	URL  string
	mu   sync.Mutex
	puts map[string]put // path → what was PUT there
}

// put is one recorded upload.
type put struct {
	ContentType   string
	ContentLength int64
	Body          []byte
}

func newBucket(t *testing.T) *bucket {
	b := &bucket{puts: map[string]put{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/song.wav":
			w.Header().Set("Content-Type", "audio/wav")
			_, _ = w.Write(song)
		case r.Method == http.MethodGet && r.URL.Path == "/notes.txt":
			_, _ = w.Write([]byte("not a song"))
		case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/forbidden/"):
			http.Error(w, "signature mismatch", http.StatusForbidden)
		case r.Method == http.MethodPut:
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			b.mu.Lock()
			b.puts[r.URL.Path] = put{r.Header.Get("Content-Type"), r.ContentLength, body}
			b.mu.Unlock()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	b.URL = srv.URL
	return b
}

// uploads returns what was PUT, by path.
func (b *bucket) uploads() map[string]put {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.puts)
}

// env is a stand-in endpoint, a client for it and a bucket.
type env struct {
	rp     *runpodtest.Server
	client *runpod.Client
	bucket *bucket
}

func newEnv(t *testing.T, opt runpodtest.Options) *env {
	t.Helper()
	rp := runpodtest.Start(t, opt)
	c, err := runpod.New(rp.Config())
	if err != nil {
		t.Fatal(err)
	}
	return &env{rp: rp, client: c, bucket: newBucket(t)}
}

// input asks for stems of the song, each PUT to /stems/<name>.wav; the
// query strings stand for signatures.
func (e *env) input(variant string, stems ...string) runpod.Input {
	outputs := map[string]string{}
	for _, s := range stems {
		outputs[s] = e.bucket.URL + "/stems/" + s + ".wav?X-Signature=put"
	}
	return runpod.Input{
		AudioURL:   e.bucket.URL + "/song.wav?X-Signature=get",
		Model:      "spleeter",
		Variant:    variant,
		Stems:      stems,
		SampleRate: 44100,
		Format:     "wav",
		Outputs:    outputs,
	}
}

// run submits in or fails the test.
func (e *env) run(t *testing.T, in runpod.Input, p runpod.Policy) string {
	t.Helper()
	id, err := e.client.Run(context.Background(), in, p)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return id
}

// poll asks for job id's status every 10 ms until done says so, and returns
// every status seen; it fails the test after 3 s or on an error.
func (e *env) poll(t *testing.T, id string, done func(*runpod.Status) bool) []*runpod.Status {
	t.Helper()
	var seen []*runpod.Status
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s, err := e.client.Status(context.Background(), id)
		if err != nil {
			t.Fatalf("Status after %d answers: %v", len(seen), err)
		}
		seen = append(seen, s)
		if done(s) {
			return seen
		}
	}
	t.Fatalf("job %s never got there; last status %+v", id, seen[len(seen)-1])
	return nil
}

// ended reports whether a status is terminal.
func ended(s *runpod.Status) bool {
	return s.State != runpod.StateInQueue && s.State != runpod.StateInProgress
}

// is returns a poll condition for one state.
func is(state string) func(*runpod.Status) bool {
	return func(s *runpod.Status) bool { return s.State == state }
}

// waitJob waits up to 3 s for the stand-in to hold job id in state.
func (e *env) waitJob(t *testing.T, id, state string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got, _ := e.rp.Job(id); got == state {
			return
		}
	}
	got, _ := e.rp.Job(id)
	t.Fatalf("job %s is %s, want %s", id, got, state)
}

// expectedStems returns what runpodtest.Split makes of the song.
func expectedStems(t *testing.T, in runpod.Input) map[string][]byte {
	t.Helper()
	stems, err := runpodtest.Split(context.Background(), in, song)
	if err != nil {
		t.Fatal(err)
	}
	return stems
}

// rawPost sends a POST with the stand-in's key and returns the status and
// body.
func rawPost(t *testing.T, rp *runpodtest.Server, path, body string) (int, string) {
	t.Helper()
	cfg := rp.Config()
	req, err := http.NewRequest(http.MethodPost, cfg.BaseURL+"/"+cfg.EndpointID+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

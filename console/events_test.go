package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"phonoglyph/console"
)

// eventServer speaks the API's job events as issue 13 defines them
// (text/event-stream at GET /api/v1/events, each event the job-status shape
// of GET /api/v1/jobs/{id}), so the page's stream reader is tested in the
// browser whether or not the API in this tree has the route yet. The first
// connection drops after one event; the second must resume with
// Last-Event-ID. /api/v1/jobs/{id} answers polls: j2 completes on the
// third.
type eventServer struct {
	mu          sync.Mutex
	connections int
	resumedFrom []string
	polls       map[string]int
}

func (s *eventServer) events(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"Sign in."}}`)
		return
	}
	s.mu.Lock()
	s.connections++
	n := s.connections
	s.resumedFrom = append(s.resumedFrom, r.Header.Get("Last-Event-ID"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	send := func(parts ...string) {
		for _, p := range parts { // each part its own chunk: lines split across reads
			fmt.Fprint(w, p)
			_ = rc.Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}
	if n == 1 {
		send(": heartbeat\n\n", "retry: 100\nid: 1\nda", `ta: {"id":"j1","kind":"render","status":"processing",`,
			"\r\ndata: \"progress\":40,\"updated_at\":\"2026-01-01T00:00:02Z\"}\r", "\n\r\n")
		return // the connection drops
	}
	send("id: 2\n", `data: {"id":"j1","kind":"render","status":"completed","progress":100,"updated_at":"2026-01-01T00:00:03Z"}`, "\n\n")
	select { // hold the stream open, as the API does, until the page leaves
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func (s *eventServer) job(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	s.polls[id]++
	n := s.polls[id]
	s.mu.Unlock()
	status, progress := "processing", 10*n
	if id == "j2" && n >= 3 {
		status, progress = "completed", 100
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "kind": "audio_analysis", "status": status, "progress": progress,
		"updated_at": time.Date(2026, 1, 1, 0, 0, 1, n, time.UTC)})
}

type event struct {
	Type    string `json:"type"`
	Data    string `json:"data"`
	ID      string `json:"id"`
	Comment string `json:"comment"`
}

type jobState struct {
	Status   string `json:"status"`
	Progress int    `json:"progress"`
}

// eventResult is what the browser half of TestEventStream answers.
type eventResult struct {
	Events      []event    `json:"events"`
	Retry       int        `json:"retry"`
	LastEventID string     `json:"lastEventId"`
	Streamed    jobState   `json:"streamed"`
	Seen        []jobState `json:"seen"`
	Modes       []string   `json:"modes"`
	Polled      jobState   `json:"polled"`
	PollModes   []string   `json:"pollModes"`
	PollSeconds float64    `json:"pollSeconds"`
}

// TestEventStream runs the page's own modules (events.js) in the browser:
// the event-stream parser on awkwardly split input, the job watcher
// following a stream that drops and resumes with Last-Event-ID, and the
// watcher polling every second where the events route answers 404.
func TestEventStream(t *testing.T) {
	es := &eventServer{polls: map[string]int{}}
	mux := http.NewServeMux()
	mux.Handle("/", console.Handler())
	mux.HandleFunc("GET /api/v1/events", es.events)
	mux.HandleFunc("GET /api/v1/jobs/{id}", es.job)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := newBrowser(t)
	b.do(chromedp.Navigate(srv.URL + "/console/console.css")) // a page of this origin, without the app
	got := eval[eventResult](b, `(async () => {
		const { EventStreamParser, JobWatcher } = await import('/console/js/events.js');
		const { Api } = await import('/console/js/api.js');
		const timeout = (p) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error('timed out')), 10000))]);

		const events = [];
		const parser = new EventStreamParser((e) => events.push(e), { onComment: (c) => events.push({ comment: c }) });
		for (const chunk of [': hi\r', '\ndata: a\r', '\ndata: b\n', '\nid: 7\nevent: job\ndata:c\n\n', 'event: empty\n\n', 'retry: 250\n\ndata: no end']) {
			parser.feed(chunk);
		}

		const api = new Api();
		api.token = 'tok';
		const modes = [];
		const seen = [];
		const streaming = new JobWatcher(api, { onMode: (m) => modes.push(m), onChange: (j) => seen.push({ status: j.status, progress: j.progress }) });
		streaming.start();
		streaming.watch({ id: 'j1', kind: 'render', status: 'queued', progress: 0 });
		const streamed = await timeout(streaming.until('j1'));
		streaming.stop();

		JobWatcher.eventsPath = '/api/v1/no-events-here';
		const pollModes = [];
		const polling = new JobWatcher(api, { onMode: (m) => pollModes.push(m) });
		polling.start();
		const started = performance.now();
		polling.watch({ id: 'j2', kind: 'audio_analysis', status: 'queued', progress: 0 });
		const polled = await timeout(polling.until('j2'));
		const pollSeconds = (performance.now() - started) / 1000;
		polling.stop();
		return { events, retry: parser.retry, lastEventId: parser.lastEventId, streamed, seen, modes, polled, pollModes, pollSeconds };
	})()`)

	want := []event{{Comment: "hi"}, {Type: "message", Data: "a\nb"}, {Type: "job", Data: "c", ID: "7"}}
	if fmt.Sprint(got.Events) != fmt.Sprint(want) || got.Retry != 250 || got.LastEventID != "7" {
		t.Errorf("parsed %+v (retry %d, last id %q), want %+v (retry 250, last id 7)", got.Events, got.Retry, got.LastEventID, want)
	}
	if got.Streamed.Status != "completed" || got.Streamed.Progress != 100 {
		t.Errorf("streamed job ended %+v, want completed at 100", got.Streamed)
	}
	es.mu.Lock()
	resumed := fmt.Sprint(es.resumedFrom)
	es.mu.Unlock()
	if resumed != "[ 1]" {
		t.Errorf("Last-Event-ID of the connections = %s, want none then 1", resumed)
	}
	if fmt.Sprint(got.Modes) != "[connecting stream reconnecting stream stopped]" {
		t.Errorf("stream modes = %v", got.Modes)
	}
	sawProgress := false
	for _, j := range got.Seen {
		sawProgress = sawProgress || (j.Status == "processing" && j.Progress == 40)
	}
	if !sawProgress {
		t.Errorf("the job's states = %+v, want the streamed processing 40 %% (a data field split across chunks)", got.Seen)
	}
	if got.Polled.Status != "completed" || fmt.Sprint(got.PollModes) != "[connecting poll stopped]" {
		t.Errorf("polling: job %+v, modes %v; want completed in poll mode", got.Polled, got.PollModes)
	}
	if got.PollSeconds < 1.5 || got.PollSeconds > 6 {
		t.Errorf("three polls took %.1f s, want one a second", got.PollSeconds)
	}
}

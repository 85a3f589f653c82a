package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph/api"
	"phonoglyph/apitest"
	"phonoglyph/wavtest"
)

// sseEvent is one event read off a stream.
type sseEvent struct {
	ID  string
	Job map[string]any
}

// sseStream reads an event stream in the background.
type sseStream struct {
	events   chan sseEvent
	comments chan string
	retry    chan string
	cancel   context.CancelFunc
	done     chan struct{}
}

// openStream connects to an event stream; it fails the test unless the
// API answers 200 text/event-stream.
func openStream(t *testing.T, url, token, lastID string) *sseStream {
	t.Helper()
	res, cancel := streamRequest(t, url, token, lastID)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &sseStream{events: make(chan sseEvent, 1024), comments: make(chan string, 1024), retry: make(chan string, 1),
		cancel: cancel, done: make(chan struct{})}
	t.Cleanup(s.close)
	go func() {
		defer close(s.done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if len(data) > 0 {
					if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &ev.Job); err != nil {
						t.Errorf("event data %q: %v", data, err)
					}
					s.events <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, ":"):
				s.comments <- strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			case strings.HasPrefix(line, "retry: "):
				select {
				case s.retry <- line[7:]:
				default:
				}
			default:
				t.Errorf("unexpected stream line %q", line)
			}
		}
	}()
	return s
}

func streamRequest(t *testing.T, url, token, lastID string) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return res, cancel
}

func (s *sseStream) close() {
	s.cancel()
	<-s.done
}

// until collects events until every job of ids showed a terminal status,
// failing the test after a minute.
func (s *sseStream) until(t *testing.T, ids ...string) []sseEvent {
	t.Helper()
	var got []sseEvent
	open := map[any]bool{}
	for _, id := range ids {
		open[id] = true
	}
	deadline := time.After(time.Minute)
	for len(open) > 0 {
		select {
		case ev := <-s.events:
			got = append(got, ev)
			if finishedStatus(ev.Job["status"]) {
				delete(open, ev.Job["id"])
			}
		case <-s.done:
			t.Fatalf("stream ended before jobs %v finished; got %v", open, got)
		case <-deadline:
			t.Fatalf("no terminal event for jobs %v; got %v", open, got)
		}
	}
	return got
}

func finishedStatus(s any) bool { return s == "completed" || s == "failed" || s == "cancelled" }

var statusRank = map[any]int{"queued": 0, "processing": 1, "completed": 2, "failed": 2, "cancelled": 2}

// checkOrder fails unless job id's events move forward only: status never
// back, progress never down, one terminal event at the end.
func checkOrder(t *testing.T, evs []sseEvent, id string) {
	t.Helper()
	rank, progress, n := -1, -1.0, 0
	for _, ev := range evs {
		if ev.Job["id"] != id {
			continue
		}
		n++
		if ev.ID == "" {
			t.Errorf("event without id: %v", ev.Job)
		}
		r, p := statusRank[ev.Job["status"]], ev.Job["progress"].(float64)
		if r < rank || p < progress || (rank == 2) {
			t.Errorf("job %s went back (or on after its end): %v after rank %d progress %v", id, ev.Job, rank, progress)
		}
		rank, progress = r, p
	}
	if n == 0 || rank != 2 {
		t.Errorf("job %s: %d events, last rank %d", id, n, rank)
	}
}

// replicas are two API processes and a worker process on one database.
func replicas(t *testing.T) (a, b *apitest.System) {
	a = apitest.Start(t, apitest.Options{EventHeartbeat: 300 * time.Millisecond})
	// b's request deadlines are far shorter than its streams live.
	b = apitest.Start(t, apitest.Options{Beside: a, EventHeartbeat: 300 * time.Millisecond,
		Timeouts: api.Timeouts{Read: 200 * time.Millisecond, Write: 200 * time.Millisecond}})
	apitest.Start(t, apitest.Options{Beside: a}).StartWorkers()
	return a, b
}

func completedJob(t *testing.T, e *env, token string, seconds float64) string {
	t.Helper()
	_, res := e.upload(token, "song.wav", "audio/wav", wavtest.Sine(22050, 1, seconds, 440, 0.5))
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	if res.Status != http.StatusOK || len(done.Jobs) != 1 {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	return done.Jobs[0].ID
}

// A client on one API process receives every change of a job uploaded
// through another and worked by a third, in order, ending in exactly the
// state GET /api/v1/jobs/{id} answers.
func TestEventsReachEveryReplica(t *testing.T) {
	a, b := replicas(t)
	ea := envOf(t, a)
	token := ea.user()
	onB := openStream(t, b.URL+"/api/v1/events", token, "")
	onA := openStream(t, a.URL+"/api/v1/events", token, "")
	if r := <-onB.retry; r != "2000" {
		t.Errorf("retry: %q", r)
	}
	id := completedJob(t, ea, token, 2)

	evs := onB.until(t, id)
	checkOrder(t, evs, id)
	checkOrder(t, onA.until(t, id), id)
	var want map[string]any
	ea.do("GET", "/api/v1/jobs/"+id, token, nil).JSON(t, &want)
	last, _ := json.Marshal(evs[len(evs)-1].Job)
	polled, _ := json.Marshal(want)
	if string(last) != string(polled) {
		t.Errorf("last event %s\nGET /jobs/{id} %s", last, polled)
	}
	select {
	case c := <-onB.comments:
		if c != "heartbeat" {
			t.Errorf("comment %q", c)
		}
	case <-time.After(5 * time.Second):
		t.Error("no heartbeat on a quiet stream")
	}

	// One job's stream starts with its current state; resumed after it, it
	// sends nothing new.
	one := openStream(t, b.URL+"/api/v1/jobs/"+id+"/events", token, "")
	ev := <-one.events
	if ev.Job["status"] != "completed" || ev.Job["id"] != id {
		t.Fatalf("one job's first event: %v", ev.Job)
	}
	again := openStream(t, b.URL+"/api/v1/jobs/"+id+"/events", token, ev.ID)
	select {
	case ev := <-again.events:
		t.Errorf("resumed after the last change, got %v", ev.Job)
	case <-again.comments: // a heartbeat, nothing else
	}
}

// The listener's connection is terminated again and again while jobs run
// and a client is away; every terminal state still arrives, in order, and a
// client resuming with Last-Event-ID gets what it missed.
func TestEventsSurviveListenerDrops(t *testing.T) {
	a, b := replicas(t)
	ea := envOf(t, a)
	token := ea.user()
	onB := openStream(t, b.URL+"/api/v1/events", token, "")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	kills := 0
	var once sync.Once
	stopKilling := func() { once.Do(func() { close(stop) }); wg.Wait() }
	t.Cleanup(stopKilling)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(40 * time.Millisecond):
			}
			var n int
			err := a.Pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE query = 'LISTEN job_events' AND pid <> pg_backend_pid()`).Scan(&n)
			if err != nil {
				t.Errorf("terminate listeners: %v", err)
				return
			}
			kills += n
		}
	}()
	ids := []string{completedJob(t, ea, token, 2), completedJob(t, ea, token, 1)}
	evs := onB.until(t, ids...)

	// A client that went away resumes from its last event and gets what
	// changed meanwhile.
	lastID := evs[len(evs)-1].ID
	onB.close()
	third := completedJob(t, ea, token, 2)
	ea.waitJob(token, third)
	stopKilling()
	if kills == 0 {
		t.Fatal("no listener was terminated")
	}
	resumed := openStream(t, b.URL+"/api/v1/events", token, lastID)
	evs = append(evs, resumed.until(t, third)...)
	for _, id := range append(ids, third) {
		checkOrderLoose(t, evs, id)
	}
	t.Logf("%d listener connections terminated, %d events", kills, len(evs))
}

// checkOrderLoose is checkOrder for a stream resumed with Last-Event-ID,
// where the state a client already had may come again.
func checkOrderLoose(t *testing.T, evs []sseEvent, id string) {
	t.Helper()
	var own []sseEvent
	for i, ev := range evs {
		if ev.Job["id"] == id && (i == 0 || !sameJob(evs[i-1], ev)) {
			own = append(own, ev)
		}
	}
	for i := 1; i < len(own); i++ {
		if sameJob(own[i-1], own[i]) {
			own = append(own[:i], own[i+1:]...)
			i--
		}
	}
	checkOrder(t, own, id)
}

func sameJob(x, y sseEvent) bool {
	a, _ := json.Marshal(x.Job)
	b, _ := json.Marshal(y.Job)
	return string(a) == string(b)
}

// A user never receives another user's event: not live, not on resume,
// not by asking for the job by id.
func TestEventsStayWithTheirUser(t *testing.T) {
	a, b := replicas(t)
	ea := envOf(t, a)
	alice, bob := ea.user(), ea.user()
	bobLive := openStream(t, b.URL+"/api/v1/events", bob, "")
	aliceLive := openStream(t, b.URL+"/api/v1/events", alice, "")
	id := completedJob(t, ea, alice, 1)
	aliceLive.until(t, id)

	res, cancel := streamRequest(t, b.URL+"/api/v1/jobs/"+id+"/events", bob, "")
	cancel()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("bob asking for alice's job stream: %d", res.StatusCode)
	}
	bobResumed := openStream(t, b.URL+"/api/v1/events", bob, "0.0") // everything since the beginning
	bobJob := completedJob(t, ea, bob, 1)
	for _, s := range []*sseStream{bobLive, bobResumed} {
		for _, ev := range s.until(t, bobJob) {
			if ev.Job["id"] != bobJob {
				t.Errorf("bob received %v", ev.Job)
			}
		}
	}
	aliceAll := openStream(t, a.URL+"/api/v1/events", alice, "0.0")
	if ev := aliceAll.until(t, id); ev[0].Job["id"] != id || len(ev) != 1 {
		t.Errorf("alice resumed from the beginning: %v", ev)
	}
	if res, cancel := streamRequest(t, b.URL+"/api/v1/jobs/"+uuid.NewString()+"/events", alice, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown job: %d", res.StatusCode)
		cancel()
	} else {
		cancel()
	}
}

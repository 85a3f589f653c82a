package api_test

import (
	"net/http"
	"testing"
	"time"

	"phonoglyph/apitest"
	"phonoglyph/dbtest"
	"phonoglyph/jobs"
	"phonoglyph/pgcluster"
	"phonoglyph/storage/blobstest"
)

// follower follows the caller's event stream as a browser's EventSource
// does: when the stream ends it connects again with Last-Event-ID, trying
// until the API answers (it may answer 5xx while its database is down).
type follower struct {
	t          *testing.T
	url, token string
	lastID     string
	stream     *sseStream
	reconnects int
	got        []sseEvent
}

func follow(t *testing.T, url, token string) *follower {
	f := &follower{t: t, url: url, token: token}
	f.stream = openStream(t, url, token, "")
	return f
}

// until collects events until job id shows a terminal status, reconnecting
// whenever the stream ends; it fails the test after two minutes.
func (f *follower) until(id string) []sseEvent {
	f.t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case ev := <-f.stream.events:
			f.got = append(f.got, ev)
			f.lastID = ev.ID
			if ev.Job["id"] == id && finishedStatus(ev.Job["status"]) {
				return f.got
			}
		case <-f.stream.done:
			f.stream = f.reconnect(deadline)
		case <-deadline:
			f.t.Fatalf("no terminal event for job %s; got %v", id, f.got)
		}
	}
}

func (f *follower) reconnect(deadline <-chan time.Time) *sseStream {
	f.t.Helper()
	for {
		select {
		case <-deadline:
			f.t.Fatalf("could not reconnect to %s", f.url)
		case <-time.After(200 * time.Millisecond):
		}
		res, cancel := streamRequest(f.t, f.url, f.token, f.lastID)
		res.Body.Close()
		cancel()
		if res.StatusCode == http.StatusOK {
			f.reconnects++
			return openStream(f.t, f.url, f.token, f.lastID)
		}
	}
}

// A client connected to one API process follows a job uploaded through a
// second and worked by a third process while the Postgres server itself is
// stopped and started again (every connection gone, new ones refused for a
// while, the LISTEN registration lost with the server): it still receives
// the job's changes in order up to the terminal one, and a client that left
// before the restart and comes back after it with Last-Event-ID gets what
// it missed. The server is a private cluster: the machine's shared one is
// never restarted.
func TestEventsSurvivePostgresRestart(t *testing.T) {
	pg := pgcluster.Start(t)
	a := apitest.Start(t, apitest.Options{Database: dbtest.URLOn(t, pg.URL("postgres")), EventHeartbeat: 300 * time.Millisecond})
	b := apitest.Start(t, apitest.Options{Beside: a, EventHeartbeat: 300 * time.Millisecond})
	var gate *blobstest.Gated
	apitest.Start(t, apitest.Options{Beside: a, Configure: []func(*jobs.Deps){func(d *jobs.Deps) {
		gate = blobstest.NewGated(d.Blobs) // the worker's reads wait: the job runs across the restart
		d.Blobs = gate
	}}}).StartWorkers()
	t.Cleanup(func() { gate.Release() })
	ea := envOf(t, a)
	token := ea.user()
	live := follow(t, b.URL+"/api/v1/events", token)
	away := openStream(t, b.URL+"/api/v1/events", token, "")

	id := completedJob(t, ea, token, 1)
	var seen sseEvent // the away client's last event before it leaves: the job processing
	for seen.Job["id"] != id || seen.Job["status"] != "processing" {
		select {
		case seen = <-away.events:
		case <-time.After(time.Minute):
			t.Fatalf("the job never showed processing; last event %v", seen.Job)
		}
	}
	away.close()

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // down for a while: connections are refused, not just dropped
	if res := ea.do("GET", "/api/v1/jobs/"+id, token, nil); res.Status < 500 {
		t.Errorf("with Postgres stopped, GET /jobs/{id} answered %d", res.Status)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	gate.Release()

	evs := live.until(id)
	checkOrderLoose(t, evs, id)
	statuses := map[any]bool{}
	for _, ev := range evs {
		if ev.Job["id"] == id {
			statuses[ev.Job["status"]] = true
		}
	}
	if !statuses["processing"] || !statuses["completed"] {
		t.Errorf("live client saw statuses %v, want processing (before the restart) and completed (after)", statuses)
	}
	want := ea.waitJob(token, id)
	if last := evs[len(evs)-1]; !sameJob(last, sseEvent{Job: want}) {
		t.Errorf("last live event %v, GET /jobs/{id} %v", last.Job, want)
	}

	resumed := openStream(t, b.URL+"/api/v1/events", token, seen.ID)
	missed := resumed.until(t, id)
	checkOrderLoose(t, append([]sseEvent{seen}, missed...), id)
	if last := missed[len(missed)-1]; !sameJob(last, sseEvent{Job: want}) {
		t.Errorf("last resumed event %v, GET /jobs/{id} %v", last.Job, want)
	}
	t.Logf("live client: %d events, %d reconnects; resumed client: %d events", len(evs), live.reconnects, len(missed))
}

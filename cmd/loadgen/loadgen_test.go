package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"phonoglyph/apitest"
	"strings"
	"testing"
	"time"
)

var testSecret = string(apitest.Secret)

func TestQuantile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if q := quantile(d, 0.5); q != 50*time.Millisecond {
		t.Errorf("p50 = %v", q)
	}
	if q := quantile(d, 0.99); q != 99*time.Millisecond {
		t.Errorf("p99 = %v", q)
	}
	if q := quantile(d[:1], 0.99); q != time.Millisecond {
		t.Errorf("p99 of one = %v", q)
	}
	if q := quantile(nil, 0.5); q != 0 {
		t.Errorf("p50 of none = %v", q)
	}
	r := newRecorder()
	r.add("a", 2*time.Millisecond, nil)
	r.add("a", 4*time.Millisecond, nil)
	r.add("a", time.Second, fmt.Errorf("boom"))
	rep := r.report(time.Second)
	if len(rep) != 1 || rep[0].Count != 3 || rep[0].Errors != 1 || rep[0].PerSecond != 2 || rep[0].MaxMS != 4 || rep[0].FirstError != "boom" {
		t.Errorf("report = %+v", rep)
	}
}

func TestGuardKeepsLoadOnThisMachine(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:3001", "http://127.8.0.1", "http://[::1]:3001", "http://localhost:3001"} {
		if err := (guard{}).check(ctx, u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:3001", "http://192.168.1.10", "https://8.8.8.8", "http://[2001:db8::1]", "ftp://127.0.0.1", "127.0.0.1:3001"} {
		if err := (guard{}).check(ctx, u); err == nil {
			t.Errorf("%s allowed", u)
		}
	}
	if err := (guard{allowRemote: true}).check(ctx, "http://10.0.0.1:3001"); err != nil {
		t.Errorf("-allow-remote: %v", err)
	}
	if _, err := parse([]string{"-clients", "100000"}); err == nil {
		t.Error("-clients beyond the bound accepted")
	}
	if _, err := parse([]string{"-duration", "1h"}); err == nil {
		t.Error("-duration beyond the bound accepted")
	}
	if err := run(ctx, []string{"-target", "http://10.1.2.3:3001"}, io.Discard); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("remote target: %v", err)
	}
}

func TestReadEvents(t *testing.T) {
	stream := ": heartbeat\n\nid: 1\ndata: {\"id\":\"j\",\n data: \"status\":\"processing\"}\n\nevent: job\ndata: {\"id\":\"j\",\"status\":\"completed\"}\n\ndata: never read\n\n"
	var got []string
	err := readEvents(strings.NewReader(strings.ReplaceAll(stream, "\n data", "\ndata")), func(data string) (bool, error) {
		got = append(got, data)
		var j job
		if err := json.Unmarshal([]byte(data), &j); err != nil {
			return false, err
		}
		return j.finished(), nil
	})
	if err != nil || len(got) != 2 || got[0] != "{\"id\":\"j\",\n\"status\":\"processing\"}" {
		t.Fatalf("events %q, err %v", got, err)
	}
	if err := readEvents(strings.NewReader("data: {}\n\n"), func(string) (bool, error) { return false, nil }); err == nil {
		t.Error("a stream ending before the job did is not an error")
	}
}

// stream follows the job-status events of issue 13's SSE endpoint; a
// stand-in speaking that protocol checks the client side until the API
// serves it.
func TestStreamFollowsJobEvents(t *testing.T) {
	ends := map[string]string{"done": "completed", "broken": "failed", "open": "processing"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/jobs/"), "/events")
		end, ok := ends[id]
		if !ok || r.Header.Get("Accept") != "text/event-stream" || r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, status := range []string{"queued", "processing", end} {
			fmt.Fprintf(w, ": heartbeat\n\nid: %d\ndata: {\"id\":%q,\"status\":%q,\"error\":\"it broke\"}\n\n", i, id, status)
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	c := newClient(srv.URL, 1, guard{}, newRecorder())
	ctx := context.Background()
	if err := c.stream(ctx, "tok", "done"); err != nil {
		t.Errorf("completed job: %v", err)
	}
	if err := c.stream(ctx, "tok", "broken"); err == nil || !strings.Contains(err.Error(), "failed: it broke") {
		t.Errorf("failed job: %v", err)
	}
	if err := c.stream(ctx, "tok", "open"); err == nil || !strings.Contains(err.Error(), "ended before") {
		t.Errorf("stream ending first: %v", err)
	}
	if err := c.stream(ctx, "tok", "unknown"); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("refused stream: %v", err)
	}
	rep := c.rec.report(time.Second)
	if len(rep) != 1 || rep[0].Step != stepSSE || rep[0].Count != 4 || rep[0].Errors != 1 {
		t.Errorf("report %+v", rep)
	}
}

// Every scenario runs against the real API, and every request it makes is
// one the contract describes.
func TestScenariosAgainstTheAPI(t *testing.T) {
	srv := realAPI(t)
	for _, args := range [][]string{
		{"-scenario", "upload", "-follow", "poll", "-max-ops", "6", "-wav-seconds", "0.3"},
		{"-scenario", "upload", "-follow", "none", "-max-ops", "20", "-wav-seconds", "0.1"},
		{"-scenario", "job", "-max-ops", "200", "-users", "2"},
		{"-scenario", "files", "-max-ops", "200", "-seed-files", "30"},
	} {
		t.Run(args[1]+"-"+args[3], func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append(args, "-target", srv.URL, "-clients", "3", "-duration", "20s", "-json"), &out)
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v: %s", err, out.Bytes())
			}
			if len(rep.Steps) == 0 {
				t.Fatalf("no steps: %s", out.Bytes())
			}
			for _, s := range rep.Steps {
				if s.Errors != 0 || s.Count == 0 || s.P50MS <= 0 || s.P99MS < s.P50MS || s.PerSecond <= 0 {
					t.Errorf("step %+v", s)
				}
			}
			t.Logf("%s", out.Bytes())
		})
	}
}

// realAPI serves the real API (apitest) with its workers; every exchange is
// checked against the contract.
func realAPI(t *testing.T) *httptest.Server {
	t.Helper()
	t.Setenv("JWT_SECRET", testSecret)
	t.Setenv("APP_ENV", "development")
	sys := apitest.Start(t, apitest.Options{})
	sys.StartWorkers()
	return sys.Server
}

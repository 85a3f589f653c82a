// Command streambench measures the event streams of a running API process
// (issue 13): how many streams one process holds and what each costs in
// memory, and the delay from a job's change in Postgres to its event.
//
//	streambench -target http://127.0.0.1:3001 -database postgres://… -api-pid PID -streams 10000 -changes 500
//
// It signs users in with the API's JWT secret (JWT_SECRET, or the
// development default), uploads one small song through the public API for
// the user it measures with (no worker needs to run), and opens -streams
// streams of GET /api/v1/events, one per user, so a change reaches one
// stream while the rest sit open. Memory is the API process's resident set
// (/proc/PID/status VmRSS) before and after. Then it changes the measured
// job's progress -changes times with an UPDATE (the trigger announces each,
// as it does for any writer) and times each event's arrival from the
// UPDATE's commit. Targets must be loopback addresses.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"phonoglyph/auth"
	"phonoglyph/wavtest"
)

const devSecret = "phonoglyph-development-secret-do-not-use-in-production"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "streambench:", err)
		os.Exit(1)
	}
}

type options struct {
	target, database, secret string
	pid, streams, changes    int
	gap                      time.Duration
}

func run() error {
	var o options
	flag.StringVar(&o.target, "target", "http://127.0.0.1:3001", "the API's base URL (loopback only)")
	flag.StringVar(&o.database, "database", os.Getenv("DATABASE_URL"), "the API's database, where the job is changed")
	flag.StringVar(&o.secret, "secret", cmp(os.Getenv("JWT_SECRET"), devSecret), "the API's JWT secret")
	flag.IntVar(&o.pid, "api-pid", 0, "the API process, whose resident memory is read (0: not read)")
	flag.IntVar(&o.streams, "streams", 1000, "streams to hold open, 1..20000")
	flag.IntVar(&o.changes, "changes", 200, "job changes to time, 1..10000")
	flag.DurationVar(&o.gap, "gap", 20*time.Millisecond, "pause between timed changes")
	flag.Parse()
	u, err := url.Parse(o.target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-target %s: only loopback addresses", o.target)
	}
	if o.streams < 1 || o.streams > 20000 || o.changes < 1 || o.changes > 10000 {
		return errors.New("-streams must be 1..20000 and -changes 1..10000")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	db, err := pgx.Connect(ctx, o.database)
	if err != nil {
		return fmt.Errorf("-database: %w", err)
	}
	defer db.Close(ctx)

	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	users := make([]string, o.streams)
	for i := range users {
		if users[i], err = auth.Mint([]byte(o.secret), "", uuid.NewString(), time.Hour); err != nil {
			return err
		}
	}
	job, err := uploadSong(ctx, cl, o.target, users[0])
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, `UPDATE audio_analysis_jobs SET status = 'processing' WHERE id = $1`, job); err != nil {
		return err
	}

	before := rss(o.pid)
	got := make(chan map[string]any, 1024)
	var open atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32) // connect 32 at a time
	start := time.Now()
	errc := make(chan error, o.streams)
	for i, tok := range users {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sink chan map[string]any
			if i == 0 {
				sink = got
			}
			err := follow(ctx, cl, o.target, tok, func() { open.Add(1); <-sem }, sink)
			if err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	for open.Load() < int64(o.streams) {
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
	opened := time.Since(start)
	time.Sleep(2 * time.Second) // let the process settle
	after := rss(o.pid)
	fmt.Printf("streams open: %d in %s (%.0f/s)\n", o.streams, opened.Round(time.Millisecond), float64(o.streams)/opened.Seconds())
	if o.pid != 0 {
		fmt.Printf("api rss: %.1f MiB before, %.1f MiB with the streams: %.0f bytes/stream\n",
			float64(before)/(1<<20), float64(after)/(1<<20), float64(after-before)/float64(o.streams))
	}

	var delays, fromStart []time.Duration
	for i := 0; i < o.changes; i++ {
		p := i%99 + 1
		t0 := time.Now()
		if _, err := db.Exec(ctx, `UPDATE audio_analysis_jobs SET progress = $2 WHERE id = $1`, job, p); err != nil {
			return err
		}
		t1 := time.Now()
		for waiting := true; waiting; {
			select {
			case ev := <-got:
				if ev["id"] == job && ev["progress"] == float64(p) {
					now := time.Now()
					delays, fromStart = append(delays, now.Sub(t1)), append(fromStart, now.Sub(t0))
					waiting = false
				}
			case err := <-errc:
				return err
			case <-time.After(10 * time.Second):
				return fmt.Errorf("change %d: no event in 10 s", i)
			}
		}
		time.Sleep(o.gap)
	}
	fmt.Printf("change → event, from the UPDATE's commit: %s\n", summary(delays))
	fmt.Printf("change → event, from the UPDATE's start:  %s\n", summary(fromStart))
	cancel()
	wg.Wait()
	return nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func summary(ds []time.Duration) string {
	slices.Sort(ds)
	q := func(f float64) string { return ds[int(f*float64(len(ds)-1))].Round(10 * time.Microsecond).String() }
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", len(ds), q(0.5), q(0.9), q(0.99), q(1))
}

// rss reads a process's resident set in bytes (0 without a pid).
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// follow holds GET /api/v1/events open, calling opened once the stream
// answers and sending each event's job to sink (when not nil).
func follow(ctx context.Context, cl *http.Client, base, token string, opened func(), sink chan<- map[string]any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	res, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api/v1/events: %d", res.StatusCode)
	}
	opened()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && sink != nil {
			var j map[string]any
			if err := json.Unmarshal([]byte(data), &j); err != nil {
				return err
			}
			sink <- j
		}
	}
	return sc.Err()
}

// uploadSong declares, PUTs and completes a short song, returning its
// analysis job.
func uploadSong(ctx context.Context, cl *http.Client, base, token string) (string, error) {
	wav := wavtest.Sine(22050, 1, 0.5, 440, 0.5)
	var created struct {
		File   struct{ ID string }
		Upload struct {
			URL     string
			Method  string
			Headers map[string]string
		}
	}
	body, _ := json.Marshal(map[string]any{"file_name": "bench.wav", "file_size": len(wav), "mime_type": "audio/wav"})
	if err := call(ctx, cl, "POST", base+"/api/v1/files", token, body, nil, &created); err != nil {
		return "", err
	}
	if err := call(ctx, cl, created.Upload.Method, created.Upload.URL, "", wav, created.Upload.Headers, nil); err != nil {
		return "", err
	}
	var done struct{ Jobs []struct{ ID string } }
	if err := call(ctx, cl, "POST", base+"/api/v1/files/"+created.File.ID+"/complete", token, nil, nil, &done); err != nil {
		return "", err
	}
	if len(done.Jobs) == 0 {
		return "", errors.New("complete: no job")
	}
	return done.Jobs[0].ID, nil
}

func call(ctx context.Context, cl *http.Client, method, u, token string, body []byte, headers map[string]string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

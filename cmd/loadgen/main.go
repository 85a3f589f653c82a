// Command loadgen drives the frontend's flows against a deployment of the
// API and prints requests per second and p50/p99 latency per step.
//
//	loadgen -scenario upload [-follow poll|sse|none]   declare → PUT → complete → follow the job
//	loadgen -scenario job                              GET /api/v1/jobs/{id} on one job, as polling does
//	loadgen -scenario files [-seed-files 5000]         GET /api/v1/files?limit=20 for a user with that many files
//
// A run is bounded by -duration and -max-ops (flows or requests) and stops by
// itself. Targets must be loopback addresses unless -allow-remote is given.
// Tokens are minted with JWT_SECRET (as `api token` does) for -users users,
// or given with -token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"

	"phonoglyph/auth"
	"phonoglyph/config"
	"phonoglyph/wavtest"
)

// Bounds of a run's flags.
const (
	maxClients  = 512
	maxDuration = 10 * time.Minute
	maxOps      = 10_000_000
	maxSeed     = 1_000_000
	maxUsers    = 10_000
)

// options are a run's settings.
type options struct {
	target, scenario, follow, token string
	clients, users, seedFiles       int
	maxOps                          int64
	duration, pollEvery, followMax  time.Duration
	wavSeconds                      float64
	allowRemote, json               bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func parse(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "http://127.0.0.1:3001", "base URL of the API")
	fs.StringVar(&o.scenario, "scenario", "upload", "upload, job or files")
	fs.StringVar(&o.follow, "follow", followPoll, "upload: how each flow follows its job: poll, sse (GET /api/v1/jobs/{id}/events) or none")
	fs.StringVar(&o.token, "token", "", "bearer token to use (one user); default: mint tokens with JWT_SECRET")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.IntVar(&o.users, "users", 1, "distinct users the clients share (round robin)")
	fs.IntVar(&o.seedFiles, "seed-files", 10, "files: files declared per user before measuring")
	fs.Int64Var(&o.maxOps, "max-ops", 1_000_000, "stop after this many flows (upload) or requests (job, files)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to measure")
	fs.DurationVar(&o.pollEvery, "poll-interval", 100*time.Millisecond, "upload -follow poll: between polls of one job")
	fs.DurationVar(&o.followMax, "follow-timeout", time.Minute, "upload: longest wait for one job to end")
	fs.Float64Var(&o.wavSeconds, "wav-seconds", 1, "length of the uploaded WAV (mono 44.1 kHz 16-bit)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow targets that are not loopback addresses")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.scenario != "upload" && o.scenario != "job" && o.scenario != "files":
		return nil, fmt.Errorf("-scenario %q: want upload, job or files", o.scenario)
	case o.follow != followPoll && o.follow != followSSE && o.follow != followNone:
		return nil, fmt.Errorf("-follow %q: want poll, sse or none", o.follow)
	case o.clients < 1 || o.clients > maxClients:
		return nil, fmt.Errorf("-clients: 1..%d", maxClients)
	case o.users < 1 || o.users > maxUsers || (o.token != "" && o.users != 1):
		return nil, fmt.Errorf("-users: 1..%d (1 with -token)", maxUsers)
	case o.seedFiles < 0 || o.seedFiles > maxSeed:
		return nil, fmt.Errorf("-seed-files: 0..%d", maxSeed)
	case o.maxOps < 1 || o.maxOps > maxOps:
		return nil, fmt.Errorf("-max-ops: 1..%d", maxOps)
	case o.duration <= 0 || o.duration > maxDuration:
		return nil, fmt.Errorf("-duration: up to %s", maxDuration)
	case o.pollEvery <= 0 || o.followMax <= 0 || o.followMax > maxDuration:
		return nil, fmt.Errorf("-poll-interval and -follow-timeout must be positive, the timeout at most %s", maxDuration)
	case o.wavSeconds <= 0 || o.wavSeconds > 600:
		return nil, errors.New("-wav-seconds: more than 0, at most 600")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	g := guard{allowRemote: o.allowRemote}
	if err := g.check(ctx, o.target); err != nil {
		return fmt.Errorf("-target: %w", err)
	}
	tokens, err := o.tokens()
	if err != nil {
		return err
	}
	// Every request, setup and follow included, ends by this deadline.
	ctx, cancel := context.WithTimeout(ctx, o.duration+o.followMax+time.Minute)
	defer cancel()

	setup := newRecorder()
	c := newClient(o.target, o.clients, g, setup)
	wav := wavtest.Sine(44100, 1, o.wavSeconds, 440, 0.5)
	op, err := o.prepare(ctx, c, tokens, wav)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	rec := newRecorder()
	c.rec = rec
	elapsed := measure(ctx, o.clients, o.duration, o.maxOps, func(ctx context.Context, worker int) error {
		return op(ctx, tokens[worker%len(tokens)])
	})
	rep := report{Target: o.target, Scenario: o.scenario, Clients: o.clients, Users: len(tokens),
		Seconds: elapsed.Seconds(), Setup: setup.report(0), Steps: rec.report(elapsed)}
	if o.scenario == "upload" {
		rep.Follow = o.follow
	}
	if o.json {
		return printJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "%s scenario=%s clients=%d users=%d", o.target, o.scenario, o.clients, len(tokens))
	if o.scenario == "upload" {
		fmt.Fprintf(stdout, " follow=%s", o.follow)
	}
	fmt.Fprintf(stdout, " measured %.1fs\n", elapsed.Seconds())
	printTable(stdout, rep.Steps)
	return nil
}

// report is the JSON form of a run.
type report struct {
	Target   string       `json:"target"`
	Scenario string       `json:"scenario"`
	Follow   string       `json:"follow,omitempty"`
	Clients  int          `json:"clients"`
	Users    int          `json:"users"`
	Seconds  float64      `json:"seconds"`
	Setup    []StepReport `json:"setup"`
	Steps    []StepReport `json:"steps"`
}

// tokens are the bearer tokens of the run's users.
func (o *options) tokens() ([]string, error) {
	if o.token != "" {
		return []string{o.token}, nil
	}
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	issuer := ""
	if cfg.SupabaseURL != "" {
		issuer = cfg.SupabaseURL + "/auth/v1"
	}
	out := make([]string, o.users)
	for i := range out {
		if out[i], err = auth.Mint([]byte(cfg.JWTSecret), issuer, uuid.NewString(), o.duration+o.followMax+time.Hour); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prepare does the scenario's setup and returns its measured operation.
func (o *options) prepare(ctx context.Context, c *client, tokens []string, wav []byte) (func(context.Context, string) error, error) {
	switch o.scenario {
	case "job":
		jobs := map[string]string{}
		for _, tok := range tokens {
			u, err := c.upload(ctx, tok, wav)
			if err != nil {
				return nil, err
			}
			jobs[tok] = u.jobID
		}
		return func(ctx context.Context, tok string) error { return c.getJob(ctx, tok, jobs[tok]) }, nil
	case "files":
		for _, tok := range tokens {
			if err := seed(ctx, c, tok, o.seedFiles, len(wav), o.clients); err != nil {
				return nil, err
			}
		}
		return c.listFiles, nil
	}
	return func(ctx context.Context, tok string) error {
		u, err := c.upload(ctx, tok, wav)
		if err != nil || o.follow == followNone {
			return err
		}
		return c.followJob(ctx, tok, u.jobID, o.follow, o.pollEvery, o.followMax)
	}, nil
}

// seed declares n files of size bytes for the user behind token, with up to
// clients requests in flight (declared files are listed like any other).
func seed(ctx context.Context, c *client, token string, n, size, clients int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range min(clients, max(n, 1)) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if _, err := c.declare(ctx, token, size, stepSeed); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// measure runs op on clients goroutines until d has passed or limit
// operations started, and returns how long that took. Errors are recorded
// by the steps; a failing operation does not stop the run.
func measure(ctx context.Context, clients int, d time.Duration, limit int64, op func(context.Context, int) error) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var started atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			for ctx.Err() == nil && started.Add(1) <= limit {
				_ = op(ctx, w)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

//go:build chaos

package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/auth"
	"phonoglyph/loopback"
	"phonoglyph/pgcluster"
	"phonoglyph/remotion/lambdatest"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/storage/s3test"
)

var (
	duration = flag.Duration("chaos.duration", 50*time.Second, "how long users act while workers are killed")
	users    = flag.Int("chaos.users", 6, "simulated users")
	seed     = flag.Uint64("chaos.seed", 0, "random seed; 0 picks one (printed)")
	settle   = flag.Duration("chaos.settle", 5*time.Minute, "how long every job may take to end after the users stop")
	kills    = flag.Duration("chaos.kill-every", 6*time.Second, "mean time between worker kills")
)

const (
	apiReplicas    = 2
	workerReplicas = 3
	jwtSecret      = "chaos-suite-secret-of-at-least-32-bytes"
)

// TestChaos runs the whole system as production would, two API and three
// worker processes on a Postgres and an S3 server of its own, with RunPod and
// Lambda stand-ins, while simulated users upload, analyse, separate, render,
// cancel and delete; workers are killed with SIGKILL at random and Postgres
// restarts once. When the users stop, every job must end, and the
// invariants in invariants_test.go must hold.
func TestChaos(t *testing.T) {
	s := *seed
	if s == 0 {
		s = mrand.Uint64()
	}
	t.Logf("seed %d (rerun with -chaos.seed %d)", s, s)
	rnd := mrand.New(mrand.NewPCG(s, 1))

	pg := pgcluster.Start(t)
	s3 := s3test.Start(t)
	rp := runpodtest.Start(t, runpodtest.Options{QueueDelay: 300 * time.Millisecond, RunTime: 1500 * time.Millisecond})
	rpURL, rpRuns := countingProxy(t, rp.URL, isRunPodRun, stemJobInURL)
	lam := lambdatest.Start(t, lambdatest.Options{RenderTime: 2 * time.Second})
	lamURL, lamStarts := countingProxy(t, lam.URL, isLambdaInvoke, renderInURL)
	apiBin, workerBin := buildBinaries(t)

	// The run's logs stay for reading when the test fails.
	run, err := os.MkdirTemp("", "phonoglyph-chaos-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs kept in %s", run)
			return
		}
		_ = os.RemoveAll(run)
	})
	tmp := filepath.Join(run, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	var mark [8]byte
	_, _ = rand.Read(mark[:])
	marker := "PHONOGLYPH_CHAOS_RUN=" + hex.EncodeToString(mark[:])
	env := append(os.Environ(), marker,
		"APP_ENV=development", "DATABASE_URL="+pg.URL("phonoglyph"), "DB_MAX_CONNS=12", "JWT_SECRET="+jwtSecret,
		"STORAGE_BACKEND=s3", "S3_ENDPOINT="+s3.Endpoint, "CLOUDFLARE_R2_BUCKET="+s3.Bucket,
		"CLOUDFLARE_R2_ACCESS_KEY_ID="+s3.AccessKeyID, "CLOUDFLARE_R2_SECRET_ACCESS_KEY="+s3.SecretAccessKey,
		"RUNPOD_API_KEY="+runpodtest.DefaultAPIKey, "RUNPOD_ENDPOINT_ID="+runpodtest.DefaultEndpointID, "RUNPOD_BASE_URL="+rpURL,
		"RUNPOD_POLL_INTERVAL=200ms",
		"REMOTION_SERVE_URL=https://remotion.invalid/sites/chaos/index.html", "REMOTION_LAMBDA_ENDPOINT="+lamURL,
		"REMOTION_AWS_ACCESS_KEY_ID=chaos", "REMOTION_AWS_SECRET_ACCESS_KEY=chaos", "REMOTION_POLL_INTERVAL=200ms",
		"SHUTDOWN_TIMEOUT=5s", "TMPDIR="+tmp)

	var apis []*process
	var bases []string
	for i := range apiReplicas {
		port := loopback.Port(t)
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		p := &process{name: fmt.Sprintf("api-%d", i), argv: []string{apiBin}, env: slices.Concat(env, []string{"PORT=" + strconv.Itoa(port), "PUBLIC_URL=" + base}),
			log: filepath.Join(run, fmt.Sprintf("api-%d.log", i)), health: base + "/health"}
		apis = append(apis, p)
		bases = append(bases, base)
	}
	var workers []*process
	for i := range workerReplicas {
		workers = append(workers, &process{name: fmt.Sprintf("worker-%d", i), argv: []string{workerBin}, env: env,
			log: filepath.Join(run, fmt.Sprintf("worker-%d.log", i))})
	}
	// The first API applies the migrations; the others find them applied.
	for _, p := range append(apis, workers...) {
		if err := p.start(); err != nil {
			t.Fatalf("%v\n%s", err, p.tail(3000))
		}
	}
	t.Cleanup(func() {
		for _, p := range append(apis, workers...) {
			p.kill()
		}
	})

	pool, err := pgxpool.New(context.Background(), pg.URL("phonoglyph"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	led := newLedger()
	ctx, stop := context.WithTimeout(context.Background(), *duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range *users {
		sub := uuid.NewString()
		token, err := auth.Mint([]byte(jwtSecret), "", sub, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		u := &simUser{id: sub, token: token, apis: bases, rnd: mrand.New(mrand.NewPCG(s, uint64(i)+2)), ledger: led,
			client: &http.Client{Timeout: 30 * time.Second}}
		wg.Add(1)
		go func() { defer wg.Done(); u.run(ctx) }()
	}

	chaos := &chaosLog{}
	wg.Add(1)
	go func() { defer wg.Done(); chaos.run(ctx, t, rnd, workers, pg, *duration) }()
	wg.Wait()
	t.Logf("users stopped after %s; %d worker kills, postgres restarted %s–%s", *duration, chaos.kills,
		chaos.pgDown.Format(time.TimeOnly), chaos.pgUp.Format(time.TimeOnly))

	for _, w := range workers {
		if w.pid() == 0 {
			if err := w.start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := waitSettled(pool, *settle); err != nil {
		t.Error(err)
	}
	finalReads(t, led, bases, jwtSecret)
	for _, p := range append(apis, workers...) {
		if err := p.stop(15 * time.Second); err != nil {
			t.Error(err)
		}
	}

	r := &report{ledger: led, pool: pool, s3: s3, runpod: rpRuns.counts(), lambda: lamStarts.counts(),
		chaos: chaos, marker: marker, tmp: tmp}
	r.check(t)
	if t.Failed() {
		for _, p := range append(apis, workers...) {
			t.Logf("--- %s (started %d times), log tail:\n%s", p.name, p.starts, p.tail(3000))
		}
	}
}

// chaosLog is what the chaos goroutine did.
type chaosLog struct {
	mu            sync.Mutex
	kills         int
	pgDown, pgUp  time.Time
	restartErrors []error
}

// run kills a random worker every few seconds (starting it again a moment
// later) and restarts Postgres once, half-way through.
func (c *chaosLog) run(ctx context.Context, t *testing.T, rnd *mrand.Rand, workers []*process, pg *pgcluster.Cluster, d time.Duration) {
	restartAt := time.After(d / 2)
	for {
		wait := time.Duration(rnd.Int64N(int64(2 * *kills)))
		select {
		case <-ctx.Done():
			return
		case <-restartAt:
			c.mu.Lock()
			c.pgDown = time.Now()
			if err := pg.Restart(); err != nil {
				c.restartErrors = append(c.restartErrors, err)
				t.Errorf("postgres restart: %v", err)
			}
			c.pgUp = time.Now()
			c.mu.Unlock()
		case <-time.After(wait):
			// A worker that could not start (the database was down) gets another go.
			for _, w := range workers {
				if w.pid() == 0 {
					if err := w.start(); err != nil {
						t.Errorf("restart %s: %v", w.name, err)
					}
				}
			}
			w := workers[rnd.IntN(len(workers))]
			w.kill()
			c.mu.Lock()
			c.kills++
			c.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(300+rnd.IntN(1500)) * time.Millisecond):
			}
			if err := w.start(); err != nil {
				t.Errorf("restart %s: %v", w.name, err)
			}
		}
	}
}

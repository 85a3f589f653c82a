// Package apitest serves the real API in-process for tests: api.New on a
// fresh migrated database (dbtest), a local-directory or S3 (versitygw) blob
// backend, and a job client with every queue, whose workers a test starts
// when it wants jobs to run. Every exchange through the server is checked
// against the published OpenAPI contract (openapi/openapitest), so no test
// of the API can pass on an answer the document does not describe.
//
// The api package's own tests, the contract test, the load tool's and the
// console's browser tests all stand on this one harness.
package apitest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"riverqueue.com/riverui"

	"phonoglyph/api"
	"phonoglyph/app"
	"phonoglyph/auth"
	"phonoglyph/dbtest"
	"phonoglyph/dsp"
	"phonoglyph/events"
	"phonoglyph/filetype"
	"phonoglyph/jobs"
	"phonoglyph/migrations"
	"phonoglyph/openapi/openapitest"
	"phonoglyph/separate"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
	"phonoglyph/store"
	"phonoglyph/tracing"
	"phonoglyph/workflow"
)

// Secret signs the test users' tokens and guest sessions.
var Secret = []byte("test-secret-test-secret-test-secret!")

// Options adjust the system; the zero value serves local blobs, the local
// separator and renderer, and validates every exchange.
type Options struct {
	// S3 stores blobs on a real S3 server instead of a local directory, so
	// upload and download URLs are presigned S3 URLs.
	S3 bool
	// Configure adjusts the workers' dependencies (RunPod, Lambda stand-ins).
	Configure []func(*jobs.Deps)
	// RiverUI mounts River UI at /riverui/ (open, development).
	RiverUI bool
	// Validator checks the exchanges; openapitest.Default() when nil. A test
	// that counts what it exercised passes its own.
	Validator *openapitest.Validator
	// Database is the URL of a migrated database to serve on (dbtest.URLOn)
	// instead of a fresh one on the shared server.
	Database string
	// Beside serves another API process on the database and blob store of
	// that system (through a pool of its own), as a second replica would.
	Beside *System
	// Timeouts are the per-request deadlines (api.Options).
	Timeouts api.Timeouts
	// EventHeartbeat shortens the event streams' heartbeat (15 s when 0).
	EventHeartbeat time.Duration
	// PreviewOrigins are further trusted CORS origins (api.Options).
	PreviewOrigins *regexp.Regexp
	// Limits is the per-user request rate (off when zero).
	Limits api.Limits
	// Quotas replace workflow.DefaultQuotas when set.
	Quotas *workflow.Quotas
	// Tracing traces requests and jobs (tracing.New over a test's
	// provider); nil traces nothing, as in production without an endpoint.
	Tracing *tracing.Tracing
}

// System is a running API with its parts, stopped when the test ends.
type System struct {
	URL    string
	Server *httptest.Server
	Echo   *echo.Echo
	Pool   *pgxpool.Pool
	Store  *store.Store
	Blobs  storage.Blobs
	Jobs   *jobs.Client
	Deps   jobs.Deps
	Guests *auth.Guests
	Events *events.Hub

	t       testing.TB
	started bool
}

// Queues are the job client's queues: every queue the workers serve.
var Queues = map[string]int{"audio_analysis": 2, "maintenance": 1, "midi": 1, "stem_separation": 2, "render": 2}

// Start serves the API on a fresh database (or the one of opt.Beside).
func Start(t testing.TB, opt Options) *System {
	t.Helper()
	ctx := context.Background()
	var pool *pgxpool.Pool
	if opt.Beside != nil {
		p, err := pgxpool.NewWithConfig(ctx, opt.Beside.Pool.Config().Copy())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		pool = p
	} else if opt.Database != "" {
		p, err := pgxpool.New(ctx, opt.Database)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		pool = p
	} else {
		pool = dbtest.Pool(t)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)

	st := store.New(pool)
	var blobs storage.Blobs
	var blobHTTP http.Handler
	if opt.Beside != nil {
		blobs = opt.Beside.Blobs // its signed URLs point at the first system
	} else if opt.S3 {
		s3, err := storage.NewS3(ctx, s3test.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		blobs = s3
	} else {
		local, err := storage.NewLocal(t.TempDir(), srv.URL+"/blobs", Secret)
		if err != nil {
			t.Fatal(err)
		}
		local.RefuseWrites(st.UploadClosed)
		blobs, blobHTTP = local, local.Handler()
	}
	deps := jobs.Deps{Store: st, Blobs: blobs, AudioLimits: dsp.Limits{MaxSeconds: 600},
		Stems: jobs.StemDeps{LocalSeparate: separate.Separate}, Render: jobs.RenderDeps{Local: app.RenderLocally}}
	for _, f := range opt.Configure {
		f(&deps)
	}
	jc, err := jobs.New(pool, log, deps, jobs.Config{Queues: Queues, Middleware: opt.Tracing.River()})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{JWTSecret: Secret})
	if err != nil {
		t.Fatal(err)
	}
	var ui http.Handler
	if opt.RiverUI {
		h, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: jc.UIEndpoints(), Logger: log, Prefix: "/riverui"})
		if err != nil {
			t.Fatal(err)
		}
		uiCtx, cancel := context.WithCancel(ctx)
		t.Cleanup(cancel)
		if err := h.Start(uiCtx); err != nil {
			t.Fatal(err)
		}
		ui = h
	}
	guests := auth.NewGuests(Secret, 0)
	hub := events.New(pool, st, log)
	hubCtx, stopHub := context.WithCancel(ctx)
	go hub.Run(hubCtx)
	t.Cleanup(func() { stopHub(); <-hub.Done() })
	wf := workflow.New(st, blobs, jc, log)
	if opt.Quotas != nil {
		wf.SetQuotas(*opt.Quotas)
	}
	e := api.New(api.Options{
		Log: log, Environment: "development", FrontendURLs: []string{"http://localhost:3000"}, MaxBodySize: 1 << 20,
		PreviewOrigins: opt.PreviewOrigins, Limits: opt.Limits, Timeouts: opt.Timeouts,
		FileLimits: filetype.DefaultLimits(), UploadTTL: time.Hour, DownloadTTL: time.Hour,
		Store: st, Blobs: blobs, BlobHTTP: blobHTTP, Workflows: wf, Verifier: verifier, Guests: guests,
		RiverUI: ui, Events: hub, EventHeartbeat: opt.EventHeartbeat, Tracing: opt.Tracing.Echo(),
		Ready:    []api.ReadyCheck{{Name: "queue", Check: func(ctx context.Context) error { return migrations.CheckRiver(ctx, pool) }}},
		DevToken: func(sub string) (string, error) { return auth.Mint(Secret, "", sub, time.Hour) },
	})
	v := opt.Validator
	if v == nil {
		if v, err = openapitest.Default(); err != nil {
			t.Fatal(err)
		}
	}
	handler = v.Handler(t, e)
	return &System{URL: srv.URL, Server: srv, Echo: e, Pool: pool, Store: st, Blobs: blobs, Jobs: jc, Deps: deps, Guests: guests, Events: hub, t: t}
}

// StartWorkers runs the job workers until the test ends (once).
func (s *System) StartWorkers() {
	s.t.Helper()
	if s.started {
		return
	}
	s.started = true
	if err := s.Jobs.Start(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		if err := s.Jobs.Stop(context.Background(), 10*time.Second); err != nil {
			s.t.Errorf("stop workers: %v", err)
		}
	})
}

// Token returns a bearer token for a new user.
func (s *System) Token() string {
	s.t.Helper()
	tok, err := auth.Mint(Secret, "", uuid.NewString(), time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"riverqueue.com/riverui"

	"phonoglyph/api"
	"phonoglyph/app"
	"phonoglyph/auth"
	"phonoglyph/config"
	"phonoglyph/debug"
	"phonoglyph/events"
	"phonoglyph/jobs"
	"phonoglyph/migrations"
	"phonoglyph/workflow"
)

// serve runs the API on PORT until ctx ends (SIGTERM), then shuts down
// gracefully.
func serve(ctx context.Context, withWorker bool) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.DebugLogging)
	if cfg.DevSecretInUse() {
		log.Warn("JWT_SECRET is unset: using the built-in development secret")
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if withWorker {
		// As cmd/worker: the in-process workers' own temp directory, and
		// those of killed processes removed.
		temp, err := jobs.OwnTempDir(cfg.WorkerTempBudget)
		if err != nil {
			return fmt.Errorf("temp directory: %w", err)
		}
		defer temp.Remove()
		a.Temp = temp
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return err
	}
	return runServer(ctx, a, withWorker, ln)
}

// runServer serves the API of a on ln, with the job workers in-process when
// withWorker, until ctx ends. Then the HTTP server finishes in-flight
// requests and the workers let running jobs finish for SHUTDOWN_TIMEOUT
// before cancelling them, as cmd/worker does.
func runServer(ctx context.Context, a *app.App, withWorker bool, ln net.Listener) error {
	cfg, log := a.Config, a.Log
	jc, err := a.Jobs(withWorker)
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{JWTSecret: []byte(cfg.JWTSecret), SupabaseURL: cfg.SupabaseURL})
	if err != nil {
		return err
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: jc.UIEndpoints(), Logger: log, Prefix: "/riverui"})
	if err != nil {
		return fmt.Errorf("river ui: %w", err)
	}
	if err := ui.Start(ctx); err != nil {
		return fmt.Errorf("river ui: %w", err)
	}
	// pprof and /metrics outlive the signal: ops watch the drain through
	// them, so they close when this function returns.
	side, endSide := context.WithCancel(context.WithoutCancel(ctx))
	defer endSide()
	if err := debug.Serve(side, cfg.DebugAddr, log); err != nil {
		return err
	}
	if err := a.ServeMetrics(side, jc); err != nil {
		return err
	}
	hub := events.New(a.Store.Pool, a.Store, log)
	go hub.Run(ctx)
	wf := a.Workflows(jc)
	wf.SetQuotas(workflow.Quotas{StorageBytes: cfg.QuotaStorageBytes, FilesPerProject: cfg.QuotaFilesPerProject,
		LiveAnalyses: cfg.QuotaLiveAnalyses, LiveStemJobs: cfg.QuotaLiveStemJobs, LiveRenders: cfg.QuotaLiveRenders})
	e := api.New(api.Options{
		Log: log, Environment: cfg.Env, FrontendURLs: cfg.FrontendURLs, PreviewOrigins: cfg.PreviewOriginPattern(), MaxBodySize: cfg.MaxBodySize,
		FileLimits: cfg.FileLimits(), UploadTTL: cfg.UploadURLTTL, DownloadTTL: cfg.DownloadURLTTL,
		Store: a.Store, Blobs: a.Blobs, BlobHTTP: a.BlobHandler(), Workflows: wf, Verifier: verifier,
		Guests: auth.NewGuests([]byte(cfg.SessionSecret), 0),
		Events: hub, Ready: []api.ReadyCheck{{Name: "queue", Check: func(ctx context.Context) error { return migrations.CheckRiver(ctx, a.Store.Pool) }}},
		Tracing: a.Tracing.Echo(),
		RiverUI: ui, RiverUIUser: cfg.RiverUIUser, RiverUIPassword: cfg.RiverUIPassword,
		Timeouts: api.Timeouts{Read: cfg.HTTPReadTimeout, Write: cfg.HTTPWriteTimeout,
			BlobRead: cfg.BlobTransferTimeout, BlobWrite: cfg.BlobTransferTimeout},
		Limits:   api.Limits{Rate: cfg.RateLimitRPS, Burst: cfg.RateLimitBurst},
		DevToken: func(sub string) (string, error) { return auth.Mint([]byte(cfg.JWTSecret), "", sub, 24*time.Hour) },
	})
	// Per-request read and write deadlines are the API's (api.Timeouts), so
	// /blobs transfers get longer ones; the server bounds the headers and
	// idle keep-alive connections.
	srv := &http.Server{Handler: e, ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout, IdleTimeout: cfg.HTTPIdleTimeout}
	if err := jc.Start(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("api listening", "addr", ln.Addr().String(), "environment", cfg.Env, "with_worker", withWorker, "public_url", cfg.PublicURL)

	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// A fresh context: the signal context is already done.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+15*time.Second)
	defer cancel()
	httpCtx, cancelHTTP := context.WithTimeout(shutdownCtx, cfg.ShutdownTimeout)
	defer cancelHTTP()
	err = errors.Join(err, srv.Shutdown(httpCtx), jc.Stop(shutdownCtx, cfg.ShutdownTimeout))
	log.Info("stopped", "error", err)
	return err
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"riverqueue.com/riverui"

	"phonoglyph/api"
	"phonoglyph/app"
	"phonoglyph/auth"
	"phonoglyph/config"
	"phonoglyph/jobs"
)

// serve runs the API until ctx ends, then shuts down gracefully: the HTTP
// server finishes in-flight requests, the in-process workers finish (or,
// after SHUTDOWN_TIMEOUT, cancel) their jobs.
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

	var jc *jobs.Client
	deps, err := a.WorkerDeps()
	if err != nil {
		return err
	}
	if withWorker {
		jc, err = jobs.NewWorker(a.Pool, log, deps, a.JobsConfig())
	} else {
		jc, err = jobs.NewInsertOnly(a.Pool, log, a.JobsConfig())
	}
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{JWTSecret: []byte(cfg.JWTSecret), SupabaseURL: cfg.SupabaseURL})
	if err != nil {
		return err
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(jc.River, nil), Logger: log, Prefix: "/riverui",
	})
	if err != nil {
		return fmt.Errorf("river ui: %w", err)
	}
	if err := ui.Start(ctx); err != nil {
		return fmt.Errorf("river ui: %w", err)
	}

	e := api.New(api.Options{
		Log: log, Environment: cfg.Env, FrontendURLs: cfg.FrontendURLs, MaxBodySize: cfg.MaxBodySize,
		FileLimits: cfg.FileLimits(), UploadTTL: cfg.UploadURLTTL, DownloadTTL: cfg.DownloadURLTTL,
		Store: a.Store, Blobs: a.Blobs, BlobHTTP: a.BlobHandler(), Jobs: jc, RunPod: deps.Stems.RunPod, Verifier: verifier,
		Guests:  auth.NewGuests([]byte(cfg.SessionSecret), 0),
		RiverUI: ui, RiverUIUser: cfg.RiverUIUser, RiverUIPassword: cfg.RiverUIPassword,
	})
	srv := &http.Server{
		Addr:              ":" + strconv.Itoa(cfg.Port),
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	if withWorker {
		if err := jc.River.Start(ctx); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("api listening", "port", cfg.Port, "environment", cfg.Env, "with_worker", withWorker, "public_url", cfg.PublicURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// A fresh context: the signal context is already done.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+15*time.Second)
	defer cancel()
	httpCtx, cancelHTTP := context.WithTimeout(shutdownCtx, cfg.ShutdownTimeout)
	defer cancelHTTP()
	err = srv.Shutdown(httpCtx)
	if withWorker {
		err = errors.Join(err, jc.Stop(shutdownCtx, cfg.ShutdownTimeout))
	}
	log.Info("stopped", "error", err)
	return err
}

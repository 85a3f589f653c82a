// Package app assembles a process from its configuration: logger, database
// pool, store, blob storage, the job client and the workflows. cmd/api and
// cmd/worker only choose which parts to run; both get their job client
// here, so they start and drain it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/config"
	"phonoglyph/dsp"
	"phonoglyph/jobs"
	"phonoglyph/metrics"
	"phonoglyph/migrations"
	"phonoglyph/remotion"
	"phonoglyph/runpod"
	"phonoglyph/separate"
	"phonoglyph/storage"
	"phonoglyph/store"
	"phonoglyph/tracing"
	"phonoglyph/visualizer"
	"phonoglyph/workflow"
)

// App is an assembled process.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	Pool   *pgxpool.Pool
	Store  *store.Store
	Blobs  storage.Blobs
	Local  *storage.Local // the local backend, when in use: its Handler serves signed URLs
	// Temp is a worker process's own temp directory and budget
	// (jobs.OwnTempDir), nil in other processes.
	Temp *jobs.TempDir
	// Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set, else nil.
	Tracing *tracing.Tracing
}

// NewLogger returns the JSON logger of the processes; DEBUG_LOGGING lowers
// the level to debug.
func NewLogger(debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// Open connects to the database (creating it in development when it does
// not exist yet), applies migrations when AUTO_MIGRATE is on, and opens blob
// storage.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	pool, err := connect(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		if err := migrations.Up(ctx, pool, log); err != nil {
			pool.Close()
			return nil, err
		}
	}
	a := &App{Config: cfg, Log: log, Pool: pool, Store: store.New(pool)}
	if err := a.openBlobs(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if a.Tracing, err = tracing.Setup(ctx, cfg.OTLPEndpoint, "phonoglyph"); err != nil {
		pool.Close()
		return nil, err
	}
	return a, nil
}

// openBlobs opens the configured blob backend; S3 is checked (bucket and
// credentials) before the process starts serving.
func (a *App) openBlobs(ctx context.Context) error {
	cfg := a.Config
	if cfg.StorageBackend == config.StorageS3 {
		s3cfg := cfg.S3()
		s3cfg.HTTPClient = metrics.AWSClient(metrics.ServiceS3)
		s3, err := storage.NewS3(ctx, s3cfg)
		if err != nil {
			return err
		}
		if err := s3.Check(ctx); err != nil {
			return fmt.Errorf("S3 storage at %s: %w", cfg.S3Endpoint, err)
		}
		a.Blobs = s3
		a.Log.Info("storage: S3", "endpoint", cfg.S3Endpoint, "bucket", cfg.R2Bucket)
		return nil
	}
	dir, err := filepath.Abs(cfg.StorageDir)
	if err != nil {
		return fmt.Errorf("STORAGE_DIR: %w", err)
	}
	local, err := storage.NewLocal(dir, cfg.PublicURL+"/blobs", []byte("blobs:"+cfg.SessionSecret))
	if err != nil {
		return fmt.Errorf("STORAGE_DIR %s: %w", dir, err)
	}
	local.RefuseWrites(a.Store.UploadClosed)
	a.Blobs, a.Local = local, local
	a.Log.Info("storage: local directory", "dir", dir)
	return nil
}

// BlobHandler serves the local backend's signed URLs; nil with S3, whose
// URLs point at the bucket.
func (a *App) BlobHandler() http.Handler {
	if a.Local == nil {
		return nil
	}
	return a.Local.Handler()
}

// Close exports the spans still buffered and releases the database pool.
func (a *App) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Tracing.Shutdown(ctx); err != nil {
		a.Log.Warn("tracing shutdown", "error", err)
	}
	a.Pool.Close()
}

// ServeMetrics serves /metrics on METRICS_ADDR until ctx ends, with River's
// queue state as jc sees it; nothing when METRICS_ADDR is empty.
func (a *App) ServeMetrics(ctx context.Context, jc *jobs.Client) error {
	if a.Config.MetricsAddr == "" {
		return nil
	}
	queues := jc.QueueCollector()
	if err := metrics.Registry.Register(queues); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	context.AfterFunc(ctx, func() { metrics.Registry.Unregister(queues) })
	return metrics.Serve(ctx, a.Config.MetricsAddr, a.Log)
}

// RunPod returns the RunPod client when RUNPOD_API_KEY is set, else nil:
// separations then run on the worker with the local separator.
func (a *App) RunPod() (*runpod.Client, error) {
	c := a.Config
	if c.RunPodAPIKey == "" {
		return nil, nil
	}
	return runpod.New(runpod.Config{BaseURL: c.RunPodBaseURL, EndpointID: c.RunPodEndpointID, APIKey: c.RunPodAPIKey,
		HTTPClient: metrics.Client(metrics.ServiceRunPod, runpod.Operation, 30*time.Second)})
}

// Remotion returns the Lambda render client when REMOTION_SERVE_URL is set,
// else nil: renders then run on the worker with ffmpeg.
func (a *App) Remotion() (*remotion.Client, error) {
	c := a.Config
	if c.RemotionServeURL == "" {
		return nil, nil
	}
	return remotion.New(remotion.Config{Region: c.RemotionRegion, FunctionName: c.RemotionFunctionName, ServeURL: c.RemotionServeURL,
		Endpoint: c.RemotionEndpoint, AccessKeyID: c.RemotionAccessKeyID, SecretAccessKey: c.RemotionSecretKey,
		HTTPClient: metrics.AWSClient(metrics.ServiceLambda)})
}

// Jobs returns the process's job client: working the WORKER_QUEUES when
// work is set, only inserting otherwise (the API process). Start it with
// Start, stop it with Stop(SHUTDOWN_TIMEOUT): running jobs then drain.
func (a *App) Jobs(work bool) (*jobs.Client, error) {
	deps, err := a.workerDeps()
	if err != nil {
		return nil, err
	}
	q := a.Config.Queues
	cfg := jobs.Config{MIDIQueue: q.MIDIQueue, Middleware: a.Tracing.River()}
	if work {
		cfg.Queues, cfg.FetchCooldown, cfg.FetchPollInterval, cfg.Timeouts = q.WorkerQueues, q.FetchCooldown, q.FetchPollInterval, q.JobTimeouts
	}
	return jobs.New(a.Pool, a.Log, deps, cfg)
}

// Workflows are the application's multi-step operations over this
// process's store, blobs and job client jc.
func (a *App) Workflows(jc *jobs.Client) *workflow.Service {
	return workflow.New(a.Store, a.Blobs, jc, a.Log)
}

// workerDeps are the dependencies of the job workers (and, for cancelling at
// RunPod, of an inserting client too).
func (a *App) workerDeps() (jobs.Deps, error) {
	rp, err := a.RunPod()
	if err != nil {
		return jobs.Deps{}, err
	}
	lambda, err := a.Remotion()
	if err != nil {
		return jobs.Deps{}, err
	}
	c := a.Config
	return jobs.Deps{Store: a.Store, Blobs: a.Blobs, AudioLimits: dsp.Limits{MaxSeconds: c.MaxAudioSeconds}, Temp: a.Temp,
		UploadGrace: c.UploadURLTTL + 15*time.Minute,
		Stems: jobs.StemDeps{RunPod: rp, Poll: c.RunPodPollInterval, LocalSeparate: separate.Separate,
			Policy: runpod.Policy{ExecutionTimeout: c.RunPodExecutionTimeout, TTL: c.RunPodTTL}},
		Render: jobs.RenderDeps{Lambda: lambda, FunctionName: c.RemotionFunctionName, Poll: c.RemotionPollInterval,
			Retention: c.RenderRetention, Local: RenderLocally},
	}, nil
}

func connect(ctx context.Context, cfg *config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pc.MaxConns = cfg.DBMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	err = pool.Ping(ctx)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" && cfg.Development() {
		err = createDatabase(ctx, pc.ConnConfig, log)
		if err == nil {
			err = pool.Ping(ctx)
		}
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("DATABASE_URL: cannot reach the database: %w", err)
	}
	return pool, nil
}

// createDatabase creates the configured database through the server's
// maintenance database, so a fresh development machine needs no setup step.
func createDatabase(ctx context.Context, cc *pgx.ConnConfig, log *slog.Logger) error {
	maint := cc.Copy()
	name := maint.Database
	maint.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, maint)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P04" { // already created by a sibling process
			return err
		}
	}
	log.Info("created database", "database", name)
	return nil
}

// RenderLocally renders with the visualizer (ffmpeg) on this machine: the
// render jobs' LocalRenderFunc.
func RenderLocally(ctx context.Context, r jobs.LocalRender, progress func(float64)) error {
	return visualizer.Render(ctx, visualizer.Options{Audio: r.Audio, Output: r.Output, Width: r.Width, Height: r.Height,
		FPS: r.FPS, Beats: r.Beats, Title: r.Title}, progress)
}

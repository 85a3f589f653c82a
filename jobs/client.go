package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"riverqueue.com/riverui"
	"riverqueue.com/riverui/uiendpoints"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// Deps are what the workers need to do their work.
type Deps struct {
	Store       *store.Store
	Blobs       storage.Blobs
	AudioLimits dsp.Limits
	// Temp is the process's temp directory and budget (nil: no budget).
	Temp *TempDir
	// UploadGrace is how long after its declaration an upload that never
	// completed is swept: the upload URL's lifetime plus a margin.
	UploadGrace time.Duration
	// Stems configures stem separation (and, with RunPod, its cancellation).
	Stems StemDeps
	// Render configures video renders.
	Render RenderDeps
}

// rescueMargin is how long after the longest kind's timeout River's own
// rescuer may take over a running job that has no heartbeat.
const rescueMargin = 30 * time.Minute

// How often the maintenance jobs run.
const (
	sweepInterval        = 15 * time.Minute
	renderExpiryInterval = time.Hour
)

// Config chooses queues: the ones a process works (name → concurrent jobs
// per process; none for the API process, which only inserts) and where MIDI
// parses go.
type Config struct {
	Queues    map[string]int
	MIDIQueue string // default "midi"
	// Kinds are user-facing job kinds to work beyond this package's own.
	Kinds []AnyKind
	// BeatInterval is how often a worker process beats its running
	// attempts (default 20 s), and StaleAfter how old a beat may get before
	// the attempt is rescued for another worker (default 90 s).
	BeatInterval, StaleAfter time.Duration
	// Middleware is River middleware of the process around inserts and
	// work, outside the package's own (tracing.River).
	Middleware []rivertype.Middleware
	// FetchCooldown and FetchPollInterval are River's fetch settings for
	// every queue (zero: River's 100 ms and 1 s). A queue of short jobs
	// drains at most its workers per cooldown in one process.
	FetchCooldown, FetchPollInterval time.Duration
	// Timeouts override the attempt timeout of job kinds, by kind name.
	Timeouts map[string]time.Duration
}

// Client inserts jobs and, when it has queues, works them. River stays
// behind it: processes start, stop and inspect it through its methods.
type Client struct {
	river     *river.Client[pgx.Tx]
	deps      Deps
	log       *slog.Logger
	midiQueue string
	working   bool
	beats     *beater
}

// New returns the job client of a process. With queues in cfg it works them
// (any number of processes may, against one database: River's row locking
// hands each job to exactly one); without, it only inserts.
func New(pool *pgxpool.Pool, log *slog.Logger, deps Deps, cfg Config) (*Client, error) {
	c := &Client{deps: deps, log: log, midiQueue: cfg.MIDIQueue, working: len(cfg.Queues) > 0}
	if c.midiQueue == "" {
		c.midiQueue = phonoglyph.QueueMIDI
	}
	rc := &river.Config{Logger: log, FetchCooldown: cfg.FetchCooldown, FetchPollInterval: cfg.FetchPollInterval}
	if c.working {
		workers := river.NewWorkers()
		var tables []store.JobTable
		longest := time.Duration(0)
		for _, k := range append(c.kinds(), cfg.Kinds...) {
			if d, ok := cfg.Timeouts[k.name()]; ok {
				k = k.withTimeout(d)
			}
			if err := k.register(workers, c); err != nil {
				return nil, err
			}
			tables = append(tables, k.table())
			longest = max(longest, k.timeout())
		}
		c.beats = newBeater(deps.Store, log, cmp.Or(cfg.BeatInterval, defaultBeatInterval), cmp.Or(cfg.StaleAfter, defaultStaleAfter), tables)
		rc.Middleware = []rivertype.Middleware{&beatMiddleware{b: c.beats}}
		// River's own rescuer is only the fallback behind the heartbeat: it
		// must never take over an attempt still inside its kind's timeout.
		rc.RescueStuckJobsAfter = longest + rescueMargin
		for _, err := range []error{
			river.AddWorkerSafely(workers, &cleanupWorker{client: c}),
			river.AddWorkerSafely(workers, &sweepWorker{client: c}),
			river.AddWorkerSafely(workers, &renderExpiryWorker{client: c}),
		} {
			if err != nil {
				return nil, err
			}
		}
		rc.Queues = make(map[string]river.QueueConfig, len(cfg.Queues))
		for name, n := range cfg.Queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
		rc.Workers = workers
		rc.PeriodicJobs = []*river.PeriodicJob{periodic(SweepArgs{}, sweepInterval), periodic(RenderExpiryArgs{}, renderExpiryInterval)}
		rc.ErrorHandler = &errorLogger{log: log}
		rc.Hooks = []rivertype.Hook{fetchMetrics}
	}
	rc.Middleware = append(append([]rivertype.Middleware(nil), cfg.Middleware...), rc.Middleware...)
	var err error
	if c.river, err = river.NewClient(riverpgxv5.New(pool), rc); err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return c, nil
}

// periodic is a maintenance job River's leader enqueues every interval, and
// once at start: periodic jobs live only in the leader's memory, so a
// restart would otherwise wait a whole interval.
func periodic(args river.JobArgs, interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args, nil },
		&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
}

// kinds are this package's user-facing job kinds.
func (c *Client) kinds() []AnyKind {
	return []AnyKind{analysisKind(c), midiKind(c), stemKind(c), renderKind(c)}
}

// Start begins working the queues (nothing, for a client without queues).
// ctx only carries values: its end does not stop the work, so a signal
// cannot cancel running jobs; Stop does, draining them first.
func (c *Client) Start(ctx context.Context) error {
	if !c.working {
		return nil
	}
	if err := c.river.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	c.beats.start()
	c.observeEvents()
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish. When
// timeout passes first it cancels the running jobs' contexts and waits for
// them to return; River gives interrupted jobs their attempt back, and
// another process resumes them. A timeout of 0 cancels at once.
func (c *Client) Stop(ctx context.Context, timeout time.Duration) error {
	if !c.working {
		return nil
	}
	defer c.beats.halt() // after the attempts ended: they beat until then
	soft, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := c.river.Stop(soft)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	hard, cancelHard := context.WithTimeout(ctx, 10*time.Second)
	defer cancelHard()
	return c.river.StopAndCancel(hard)
}

// UIEndpoints are River UI's API over this client's database, for mounting
// the UI (riverui.NewHandler).
func (c *Client) UIEndpoints() uiendpoints.Bundle {
	return riverui.NewEndpoints(c.river, nil)
}

// errorLogger logs job errors and panics; River retries or discards them.
type errorLogger struct{ log *slog.Logger }

func (e *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job failed", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "error", err)
	return nil
}

func (e *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt, "panic", panicVal, "trace", trace)
	return nil
}

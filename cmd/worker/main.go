// Command worker runs the Phonoglyph job workers. Run as many replicas as
// the load needs; they share the work through River's queues in Postgres.
//
//	worker                  work the queues in WORKER_QUEUES until SIGTERM
//	worker analyze FILE...  analyse audio files and print one JSON object per file
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"phonoglyph/app"
	"phonoglyph/config"
	"phonoglyph/debug"
	"phonoglyph/jobs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "analyze" {
		err = analyze(os.Stdout, os.Args[2:])
	} else if len(os.Args) > 1 {
		err = fmt.Errorf("unknown command %q (commands: analyze)", os.Args[1])
	} else {
		err = work(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// work runs the queues until ctx ends, then stops fetching and lets running
// jobs finish for SHUTDOWN_TIMEOUT before cancelling them.
func work(ctx context.Context) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.DebugLogging)
	// Before anything writes a temp file: this process's own directory, and
	// those of killed workers removed.
	temp, err := jobs.OwnTempDir(cfg.WorkerTempBudget)
	if err != nil {
		return fmt.Errorf("temp directory: %w", err)
	}
	defer temp.Remove()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Temp = temp
	// pprof and /metrics outlive the signal: ops watch the drain through
	// them, so they close when work returns.
	side, endSide := context.WithCancel(context.WithoutCancel(ctx))
	defer endSide()
	if err := debug.Serve(side, cfg.DebugAddr, log); err != nil {
		return err
	}
	jc, err := a.Jobs(true)
	if err != nil {
		return err
	}
	if err := a.ServeMetrics(side, jc); err != nil {
		return err
	}
	if err := jc.Start(ctx); err != nil { // the signal ending ctx does not cancel running jobs; Stop drains them
		return err
	}
	log.Info("worker started", "queues", cfg.WorkerQueues)
	<-ctx.Done()
	log.Info("worker stopping", "timeout", cfg.ShutdownTimeout)
	err = jc.Stop(context.Background(), cfg.ShutdownTimeout)
	log.Info("worker stopped", "error", err)
	return err
}

// Command api runs the Phonoglyph HTTP API.
//
//	api [-with-worker]            serve the API (and, with -with-worker, the job workers in-process)
//	api migrate                   apply database migrations and exit
//	api token -sub UUID [-ttl 24h] print an HS256 access token signed with JWT_SECRET
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "migrate":
			return migrate(ctx)
		case "token":
			return token(args[1:])
		}
	}
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	withWorker := fs.Bool("with-worker", false, "also run the job workers in this process")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unknown command %q (commands: migrate, token)", fs.Arg(0))
	}
	return serve(ctx, *withWorker)
}

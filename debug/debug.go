// Package debug serves Go's profiler (net/http/pprof) on its own listener,
// apart from the API, so profiles are reachable only where ops bind it
// (DEBUG_ADDR, e.g. 127.0.0.1:6060) and never through the public port. It
// is off unless an address is given.
package debug

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// Handler serves the profiles under /debug/pprof/.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// Serve listens on addr until ctx ends; an empty addr serves nothing. The
// listener is opened before Serve returns, so a wrong address stops
// start-up with an error naming it.
func Serve(ctx context.Context, addr string, log *slog.Logger) error {
	return Listen(ctx, "DEBUG_ADDR", addr, Handler(), log)
}

// Listen serves h on a listener of its own at addr until ctx ends, as
// Serve does for the profiles (and package metrics for /metrics); variable
// names the setting addr came from, for the error of a wrong address and
// the log lines. An empty addr serves nothing.
func Listen(ctx context.Context, variable, addr string, h http.Handler, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.New(variable + ": " + err.Error())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Warn("listener stopped", "variable", variable, "error", err)
		}
	}()
	log.Info("listening", "variable", variable, "addr", ln.Addr().String())
	return nil
}

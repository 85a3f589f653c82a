// Command corpus builds the evaluation corpus (see package corpus) into
// the cache and prints where it is.
//
//	corpus build [-j 2] [-dir DIR] [-only ID,…] SET...   build sets (dev, dev2, holdout, holdout2, holdout3, planetblupi, controls, long, or all); prints each set's directory
//	corpus list [-dir DIR] [-only ID,…] SET...           print the directory of every built track of the sets
//	corpus root [-dir DIR]                               print the corpus root (the sets' parent directory)
//
// A set directory holds one directory per track with truth.json, mix.wav
// (24-bit), mix.{flac,mp3,ogg,m4a}, stems/<stem>.flac, song.mid and
// midi/<stem>.mid. Tracks already built are not rebuilt.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"phonoglyph/corpus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM) // stops the renderers too
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: corpus build|list|root [flags] SET... (sets: dev, dev2, holdout, holdout2, holdout3, planetblupi, controls, long, all)")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	jobs := fs.Int("j", 1, "tracks built at once (1 or 2: the machine has 2 cores)")
	dir := fs.String("dir", "", "corpus root (default ~/.cache/phonoglyph/corpus/"+corpus.Version+")")
	only := fs.String("only", "", "comma-separated track ids: build or list only these")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root := *dir
	if root == "" {
		var err error
		if root, err = corpus.CacheDir(); err != nil {
			return err
		}
	}
	if args[0] == "root" {
		fmt.Fprintln(stdout, root)
		return nil
	}
	sets := fs.Args()
	if len(sets) == 1 && sets[0] == "all" {
		sets = corpus.SetNames
	}
	if len(sets) == 0 {
		return errors.New("name at least one set")
	}
	for _, name := range sets {
		tracks, err := corpus.Set(name)
		if err != nil {
			return err
		}
		if *only != "" {
			ids := strings.Split(*only, ",")
			tracks = slices.DeleteFunc(tracks, func(t corpus.Track) bool { return !slices.Contains(ids, t.ID) })
		}
		setDir := filepath.Join(root, name)
		switch args[0] {
		case "build":
			if err := build(ctx, stderr, setDir, tracks, min(max(*jobs, 1), 2)); err != nil {
				return err
			}
			fmt.Fprintln(stdout, setDir)
		case "list":
			for _, t := range tracks {
				if _, err := corpus.ReadTruth(filepath.Join(setDir, t.ID)); err == nil {
					fmt.Fprintln(stdout, filepath.Join(setDir, t.ID))
				}
			}
		default:
			return fmt.Errorf("unknown command %q (build, list)", args[0])
		}
	}
	return nil
}

// build builds the tracks of one set, jobs at a time, logging each.
func build(ctx context.Context, log io.Writer, setDir string, tracks []corpus.Track, jobs int) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan corpus.Track)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				start := time.Now()
				tr, err := t.Build(ctx, setDir)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					fmt.Fprintf(log, "%s: %v\n", t.ID, err)
				} else {
					fmt.Fprintf(log, "%-28s %6.1f s audio  %5.1f BPM  %-9s %-10s %s  (%.1f s)\n", t.ID, tr.Duration, tr.BPM,
						tr.Key, tr.TempoKind, tr.Renderer, time.Since(start).Seconds())
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range tracks {
		if ctx.Err() != nil {
			break
		}
		next <- t
	}
	close(next)
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

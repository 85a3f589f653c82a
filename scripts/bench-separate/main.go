// Command bench-separate measures the local separator (package separate) on
// rendered arrangements whose stems are known: for every song directory
// holding mix.wav, drums.wav, bass.wav and other.wav (mix = their sum), it
// separates the mix into 4 stems and prints the whole-track SDR of drums,
// bass and other (the separator's vocals + other against the true other),
// per song with -v, and as medians per style and per set:
//
//	go run ./scripts/bench-separate -corpus /work/sepdata dev holdout
//
// The material comes from render.py beside this file (see its doc), or from
// cmd/corpus (a directory per track with truth.json, mix.wav and FLAC stems
// drums, bass, vocals, piano and other, the last three being "other" here):
//
//	go run ./scripts/bench-separate -corpus ~/.cache/phonoglyph/corpus/v2 dev holdout
//
// With -in it separates one WAV into files instead, streaming (its peak
// memory is the separator's, see BENCHMARKS.md):
//
//	go run ./scripts/bench-separate -in long.wav -out /tmp/stems -rate 48000 -format mp3
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"phonoglyph/dsp"
	"phonoglyph/separate"
)

// stems are the true stems of a song, in table order.
var stems = []string{"drums", "bass", "other"}

// result is the measurement of one song.
type result struct {
	name, style string
	renderer    string             // the synthesizer and soundfont the song was rendered with
	sdr         map[string]float64 // per true stem, the separator's SDR
	mix         map[string]float64 // per true stem, the SDR of the mix itself
	seconds     float64            // audio duration
	elapsed     time.Duration      // separation time
}

func main() {
	corpus := flag.String("corpus", "/work/sepdata", "directory holding one directory per set")
	verbose := flag.Bool("v", false, "print every song")
	in := flag.String("in", "", "separate this WAV into -out instead of measuring")
	outDir := flag.String("out", ".", "directory of the stems of -in")
	rate := flag.Int("rate", 0, "sample rate of the stems of -in (0: the input's)")
	format := flag.String("format", "wav", "format of the stems of -in: wav or mp3")
	variant := flag.String("variant", "4stems", "variant of -in")
	flag.Parse()
	if *in != "" {
		if err := separateFile(*in, *outDir, *variant, *rate, *format); err != nil {
			log.Fatal(err)
		}
		return
	}
	sets := flag.Args()
	if len(sets) == 0 {
		sets = []string{"dev", "holdout"}
	}
	for _, set := range sets {
		dirs, err := filepath.Glob(filepath.Join(*corpus, set, "*", "mix.wav"))
		dirs = slices.DeleteFunc(dirs, func(d string) bool { return strings.HasSuffix(filepath.Dir(d), ".tmp") }) // cmd/corpus's unfinished
		if err != nil || len(dirs) == 0 {
			log.Fatalf("no songs in %s/%s (render them with render.py)", *corpus, set)
		}
		sort.Strings(dirs)
		var results []result
		for _, mix := range dirs {
			r, err := measure(filepath.Dir(mix))
			if err != nil {
				log.Fatalf("%s: %v", mix, err)
			}
			if *verbose {
				fmt.Printf("%-40s drums %6.2f bass %6.2f other %6.2f\n", r.name, r.sdr["drums"], r.sdr["bass"], r.sdr["other"])
			}
			results = append(results, r)
		}
		report(set, results)
	}
}

// measure separates one song and scores its stems.
func measure(dir string) (result, error) {
	r := result{name: filepath.Base(dir), sdr: map[string]float64{}, mix: map[string]float64{}}
	var meta struct {
		Style    string
		Stems    map[string]string // cmd/corpus: stem files by name
		Renderer string            // cmd/corpus: synthesizer/soundfont
		Synth    string            // render.py: synthesizer
		Font     string            // render.py: soundfont or TiMidity++ configuration
	}
	for _, name := range []string{"meta.json", "truth.json"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			if err := json.Unmarshal(b, &meta); err != nil {
				return r, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	r.style, r.renderer = meta.Style, meta.Renderer
	if meta.Synth != "" {
		r.renderer = meta.Synth + "/" + strings.TrimSuffix(filepath.Base(meta.Font), filepath.Ext(meta.Font))
	}
	truth := map[string][]string{"drums": {"drums.wav"}, "bass": {"bass.wav"}, "other": {"other.wav"}}
	if meta.Stems != nil {
		truth = map[string][]string{"drums": {meta.Stems["drums"]}, "bass": {meta.Stems["bass"]},
			"other": {meta.Stems["vocals"], meta.Stems["piano"], meta.Stems["other"]}}
	}
	mixWAV, err := os.ReadFile(filepath.Join(dir, "mix.wav"))
	if err != nil {
		return r, err
	}
	out := map[string]*bytes.Buffer{}
	open := func(stem string) (io.WriteCloser, error) {
		out[stem] = &bytes.Buffer{}
		return nopCloser{out[stem]}, nil
	}
	start := time.Now()
	if err := separate.Separate(context.Background(), bytes.NewReader(mixWAV), "4stems", 0, "wav", open, nil); err != nil {
		return r, err
	}
	r.elapsed = time.Since(start)
	mix, rate, err := decode(mixWAV, "mix.wav")
	if err != nil {
		return r, err
	}
	r.seconds = float64(len(mix)) / 2 / float64(rate)
	est := map[string][]float32{}
	for name, b := range out {
		if est[name], _, err = decode(b.Bytes(), name+".wav"); err != nil {
			return r, fmt.Errorf("stem %s: %w", name, err)
		}
	}
	for i, v := range est["vocals"] {
		est["other"][i] += v
	}
	for _, stem := range stems {
		var ref []float32
		for _, file := range truth[stem] {
			b, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return r, err
			}
			x, _, err := decode(b, file)
			if err != nil {
				return r, fmt.Errorf("%s: %w", file, err)
			}
			if ref == nil {
				ref = x
				continue
			}
			for i := range min(len(ref), len(x)) {
				ref[i] += x[i]
			}
		}
		r.sdr[stem] = separate.SDR(ref, est[stem])
		r.mix[stem] = separate.SDR(ref, mix)
	}
	return r, nil
}

// separateFile separates the WAV in into files of dir named after the stems.
func separateFile(in, dir, variant string, rate int, format string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	open := func(stem string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, stem+"."+format))
	}
	if err := separate.Separate(context.Background(), bufio.NewReaderSize(f, 1<<16), variant, rate, format, open, nil); err != nil {
		return err
	}
	fmt.Printf("%s separated in %.1f s\n", in, time.Since(start).Seconds())
	return nil
}

// decode returns the interleaved samples and rate of an audio file (its
// name tells the format).
func decode(b []byte, name string) ([]float32, int, error) {
	d, closer, err := dsp.Open(bytes.NewReader(b), name, dsp.Limits{})
	if err != nil {
		return nil, 0, err
	}
	defer closer.Close()
	var x []float32
	buf := make([]float32, 1<<14)
	for {
		n, err := d.Read(buf)
		x = append(x, buf[:n]...)
		if err == io.EOF {
			return x, d.Format().SampleRate, nil
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// report prints the medians of a set: per style, then overall, then per
// renderer, then speed.
func report(set string, results []result) {
	group := func(key func(result) string) ([]string, map[string][]result) {
		by := map[string][]result{}
		for _, r := range results {
			by[key(r)] = append(by[key(r)], r)
		}
		keys := make([]string, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys, by
	}
	styles, byStyle := group(func(r result) string { return r.style })
	fmt.Printf("\n%s (%d songs): median whole-track SDR, dB\n\n| style | songs | drums | bass | other |\n|---|---|---|---|---|\n", set, len(results))
	row := func(name string, rs []result, f func(result) map[string]float64) {
		fmt.Printf("| %s | %d |", name, len(rs))
		for _, stem := range stems {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)[stem]
			}
			fmt.Printf(" %.1f |", median(v))
		}
		fmt.Println()
	}
	sdr := func(r result) map[string]float64 { return r.sdr }
	for _, s := range styles {
		row(s, byStyle[s], sdr)
	}
	row("**all**", results, sdr)
	row("mix as estimate", results, func(r result) map[string]float64 { return r.mix })
	renderers, byRenderer := group(func(r result) string { return r.renderer })
	fmt.Printf("\n| renderer | songs | drums | bass | other |\n|---|---|---|---|---|\n")
	for _, k := range renderers {
		row(k, byRenderer[k], sdr)
	}
	var audio float64
	var took time.Duration
	for _, r := range results {
		audio += r.seconds
		took += r.elapsed
	}
	fmt.Printf("\n%.0f s of audio separated in %.1f s: %.1f× real time\n", audio, took.Seconds(), audio/took.Seconds())
}

// median returns the median of v (the mean of the middle two for even
// lengths).
func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// nopCloser is a stem writer kept in memory.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

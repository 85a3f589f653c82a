// Command bench-separate measures the local separator (package separate) on
// rendered arrangements whose stems are known: for every song directory
// holding mix.wav, drums.wav, bass.wav and other.wav (mix = their sum), it
// separates the mix into 4 stems and prints the whole-track SDR of drums,
// bass and other (the separator's vocals + other against the true other),
// per song with -v, and as medians per style and per set. A stem a song
// lacks (its true part 60 dB under the mix, as in real MIDI songs without
// drums or bass) is left out of that song's scores, and a median over fewer
// songs than the row's shows their number in brackets:
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

// absentBelow is the energy, relative to the mix's, under which a true stem
// counts as absent (−60 dB): such a stem is left out of the song's scores.
const absentBelow = 1e-6

// result is the measurement of one song.
type result struct {
	name, style string
	renderer    string             // the synthesizer and soundfont the song was rendered with
	sdr         map[string]float64 // per true stem the song has, the separator's SDR
	mix         map[string]float64 // per true stem the song has, the SDR of the mix itself
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
	seconds := flag.Float64("seconds", 0, "score only the first this many seconds of each song (0: all; the separator takes at most 15 minutes)")
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
			r, err := measure(filepath.Dir(mix), *seconds)
			if err != nil {
				log.Fatalf("%s: %v", mix, err)
			}
			if *verbose {
				fmt.Printf("%-40s", r.name)
				for _, stem := range stems {
					if x, ok := r.sdr[stem]; ok {
						fmt.Printf(" %s %6.2f", stem, x)
					} else {
						fmt.Printf(" %s   none", stem)
					}
				}
				fmt.Println()
			}
			results = append(results, r)
		}
		report(set, results)
	}
}

// measure separates one song (its first seconds when seconds > 0) and
// scores its stems.
func measure(dir string, seconds float64) (result, error) {
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
	mix, rate, err := decode(mixWAV, "mix.wav")
	if err != nil {
		return r, err
	}
	keep := len(mix)
	if seconds > 0 {
		keep = min(keep, 2*int(seconds*float64(rate)))
		if mixWAV, err = wav24(mix[:keep], rate); err != nil {
			return r, err
		}
		mix = mix[:keep]
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
	absent := absentBelow * energy(mix)
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
			x = x[:min(len(x), keep)]
			if ref == nil {
				ref = x
				continue
			}
			for i := range min(len(ref), len(x)) {
				ref[i] += x[i]
			}
		}
		if energy(ref) < absent {
			continue // the song has no such part (real MIDI songs may lack drums or bass)
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
			var v []float64
			for _, r := range rs {
				if x, ok := f(r)[stem]; ok {
					v = append(v, x)
				}
			}
			if len(v) < len(rs) {
				fmt.Printf(" %.1f (%d) |", median(v), len(v))
			} else {
				fmt.Printf(" %.1f |", median(v))
			}
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

// wav24 returns x (interleaved stereo at rate Hz) as a 24-bit WAV.
func wav24(x []float32, rate int) ([]byte, error) {
	var b bytes.Buffer
	w, err := dsp.NewPCMWriter(&b, rate, 2, 24, int64(len(x)/2))
	if err != nil {
		return nil, err
	}
	if err := w.Write(x); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// energy returns the sum of squares of x.
func energy(x []float32) float64 {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
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

package dsp

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// seedFiles returns the testdata files with one of the extensions.
func seedFiles(t testing.TB, exts ...string) [][]byte {
	var out [][]byte
	for _, ext := range exts {
		paths, _ := filepath.Glob(filepath.Join("testdata", "*"+ext))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// fuzzDecode opens data and decodes it to the end, checking the Decoder
// contract: errors wrap ErrInvalid (never a panic message), samples lie in
// [-1,1], whole frames only.
func fuzzDecode(t *testing.T, data []byte, name string) {
	d, c, err := Open(bytes.NewReader(data), name, decodeFuzzLimits)
	if err != nil {
		if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNeedFFmpeg) {
			t.Fatalf("error %v wraps neither ErrInvalid nor ErrNeedFFmpeg", err)
		}
		return
	}
	defer c.Close()
	f := d.Format()
	if f.Channels < 1 || f.Channels > 8 || f.SampleRate < minSampleRate || f.SampleRate > maxSampleRate {
		t.Fatalf("format %+v", f)
	}
	buf := make([]float32, 1000*f.Channels)
	for {
		n, err := d.Read(buf)
		if n%f.Channels != 0 {
			t.Fatalf("%d samples for %d channels", n, f.Channels)
		}
		for _, v := range buf[:n] {
			if !(v >= -1 && v <= 1) {
				t.Fatalf("sample %v", v)
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
	}
}

// Run the fuzzers with -fuzzminimizetime 1s: with the default (60 s) a
// worker spends up to a minute minimising each new interesting input while the
// exec counter stands still, which looked like a hang (BENCHMARKS.md).
func fuzzOpen(f *testing.F, name string, exts ...string) {
	// The in-process decoders only: a subprocess per input is slow and
	// not what is being tested.
	withoutFFmpeg(f)
	for _, s := range seedFiles(f, exts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { watchdog(t, func() { fuzzDecode(t, data, name) }) })
}

// watchdog runs fn and fails the test (so the fuzzer records the input as a
// crasher) when it does not finish within 5 s: a hang stalls the fuzzing
// worker silently otherwise.
func watchdog(t *testing.T, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<16)
		t.Fatalf("no result after 5 s:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

// FuzzOpenMP3 fuzzes go-mp3 through Open (known to panic; recovered).
func FuzzOpenMP3(f *testing.F) { fuzzOpen(f, "x.mp3", ".mp3") }

// FuzzOpenFLAC fuzzes mewkiz/flac through Open.
func FuzzOpenFLAC(f *testing.F) { fuzzOpen(f, "x.flac", ".flac") }

// FuzzOpenOgg fuzzes oggvorbis through Open (known to panic; recovered).
func FuzzOpenOgg(f *testing.F) { fuzzOpen(f, "x.ogg", ".ogg") }

// FuzzOpenWAV fuzzes the WAV path of Open and the sniffer.
func FuzzOpenWAV(f *testing.F) {
	// The in-process decoders only: a subprocess per input is slow and
	// not what is being tested.
	withoutFFmpeg(f)
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { watchdog(t, func() { fuzzDecode(t, data, "x.wav") }) })
}

// FuzzAnalyze runs the full extractor on fuzzed WAV input.
func FuzzAnalyze(f *testing.F) {
	// The in-process decoders only: a subprocess per input is slow and
	// not what is being tested.
	withoutFFmpeg(f)
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, c, err := Open(bytes.NewReader(data), "x.wav", fuzzLimits)
		if err != nil {
			return
		}
		defer c.Close()
		a, err := Analyze(d, Options{})
		if err != nil {
			if !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "analysis panicked") {
				t.Fatal(err)
			}
			return
		}
		for name, s := range a.Series {
			if len(s) != len(a.FrameTimes) {
				t.Fatalf("%s: %d values for %d frames", name, len(s), len(a.FrameTimes))
			}
		}
	})
}

// decodeFuzzLimits keep decoded fuzz streams to 2 s so a corrupt stream that
// decodes to long silence costs little.
var decodeFuzzLimits = Limits{MaxSeconds: 2}

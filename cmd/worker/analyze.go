package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"phonoglyph/dsp"
)

// analyze prints one JSON object per file: the track summary, beats,
// downbeats, beat positions, time signature, sections, onsets and feature
// names, and with -full every per-frame series. A file
// that cannot be analysed ends the command non-zero with a one-line error.
func analyze(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	full := fs.Bool("full", false, "include the per-frame series, waveform and events")
	stem := fs.String("stem", "master", "feature set: master, drums, bass, vocals, other")
	maxSeconds := fs.Float64("max-seconds", 3600, "refuse files longer than this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("analyze: name at least one audio file")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(analyzeMemoryLimit)
	}
	enc := json.NewEncoder(w)
	for _, path := range fs.Args() {
		out, err := analyzeFile(path, dsp.Limits{MaxSeconds: *maxSeconds}, *stem, *full)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return nil
}

// analyzeMemoryLimit is the Go runtime's soft memory limit while `worker
// analyze` runs, unless GOMEMLIMIT sets another. An hour of audio holds about
// 60 MB of per-frame arrays, and the pure-Go FLAC and Vorbis decoders (used
// without ffmpeg) allocate per frame and per packet (about 1.2 GB an hour for
// FLAC): with the collector's default pacing that garbage grows to the live
// size before a collection, and the hour peaked at 119–128 MB. The limit
// makes the collector run before the heap passes it; the per-frame arrays
// hold no pointers, so a collection costs little.
const analyzeMemoryLimit = 80 << 20

// analyzeFile analyses one file. While a decoder process (ffmpeg, mpg123,
// flac) feeds the analysis, the analysis runs on one core fewer than the
// machine has, so the decoder keeps a core of its own instead of being
// timesliced with the analysis's goroutines: on 2 cores the 3-minute MP3,
// FLAC, Ogg and M4A analyses took 7–12 % less wall time so (BENCHMARKS.md,
// "Speed in every upload format"); WAV, decoded in-process, keeps every core.
func analyzeFile(path string, lim dsp.Limits, stem string, full bool) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec, closer, err := dsp.OpenForAnalysis(f, path, lim)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	if dsp.DecoderProcess(dec) != "" && os.Getenv("GOMAXPROCS") == "" && runtime.NumCPU() > 1 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU() - 1))
	}
	// Without -full nothing reads the per-frame MFCC, pitch and spectrum:
	// they are not kept (28 MB an hour).
	a, err := dsp.Analyze(dec, dsp.Options{Stem: stem, SummaryOnly: !full})
	if err != nil {
		return nil, err
	}
	s := a.Summary
	out := map[string]any{
		"file": path, "duration": s.Duration, "sample_rate": s.SampleRate, "source_sample_rate": s.SourceRate, "channels": s.Channels,
		"bpm": s.BPM, "bpm_confidence": s.BPMConfidence, "beats": a.Beats, "onsets": a.Onsets,
		"downbeats": a.Downbeats, "beat_positions": a.BeatPositions, "time_signature": s.TimeSignature, "sections": a.Sections,
		"loudness_lufs": s.LoudnessLUFS, "loudness_range_lu": s.LoudnessRangeLU, "true_peak_dbtp": s.TruePeakDBTP,
		"peak_dbfs": s.PeakDBFS, "key": s.Key, "mode": s.Mode, "key_confidence": s.KeyConfidence,
		"features": dsp.StemFeatures(stem), "analysis_version": dsp.AnalysisVersion,
	}
	if full {
		out["analysis"] = a
	}
	return out, nil
}

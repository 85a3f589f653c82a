package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"phonoglyph/dsp"
)

// analyze prints one JSON object per file with its basic analysis summary.
func analyze(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	full := fs.Bool("full", false, "include the per-frame series and waveform")
	maxSeconds := fs.Float64("max-seconds", 3600, "refuse files longer than this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("analyze: name at least one audio file")
	}
	enc := json.NewEncoder(w)
	var failed error
	for _, path := range fs.Args() {
		out, err := analyzeFile(path, dsp.Limits{MaxSeconds: *maxSeconds}, *full)
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("%s: %w", path, err))
			out = map[string]any{"file": path, "error": err.Error()}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return failed
}

func analyzeFile(path string, lim dsp.Limits, full bool) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := dsp.AnalyzeBasic(f, lim)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"file": path, "duration": b.Duration, "sample_rate": b.SampleRate, "channels": b.Channels,
		"frames": b.Frames, "peak": b.Peak, "peak_dbfs": b.PeakDBFS, "frame_count": len(b.RMS),
	}
	if full {
		out["frame_times"], out["rms"], out["waveform"] = b.FrameTimes, b.RMS, b.Waveform
	}
	return out, nil
}

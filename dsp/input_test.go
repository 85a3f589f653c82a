package dsp

import (
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

// scriptedDecoder delivers n blocks of a 440 Hz-ish ramp, then fails as
// told: panics, or returns err.
type scriptedDecoder struct {
	blocks int
	panics bool
	err    error
}

func (d *scriptedDecoder) Format() Format {
	return Format{SampleRate: 48000, Channels: 2, BitDepth: 32, Float: true, Frames: -1}
}

func (d *scriptedDecoder) Read(dst []float32) (int, error) {
	if d.blocks == 0 {
		if d.panics {
			panic("decoder bug")
		}
		return 0, d.err
	}
	d.blocks--
	for i := range dst {
		dst[i] = float32(i%100) / 200
	}
	return len(dst) / 2 * 2, nil
}

// TestAnalyzeInputStage: a panic on the input goroutine (after the
// resampler, which is in front of it here) comes back as an ErrInvalid
// error, a decoder error as itself, and Analyze leaves no goroutine behind.
func TestAnalyzeInputStage(t *testing.T) {
	before := runtime.NumGoroutine()
	if _, err := Analyze(&scriptedDecoder{blocks: 50, panics: true}, Options{}); !isErr(err, ErrInvalid) {
		t.Errorf("panicking decoder: %v", err)
	}
	boom := errors.New("network gone")
	if _, err := Analyze(&scriptedDecoder{blocks: 50, err: boom}, Options{}); !errors.Is(err, boom) {
		t.Errorf("failing decoder: %v", err)
	}
	a, err := Analyze(&scriptedDecoder{blocks: 50, err: io.EOF}, Options{})
	if err != nil || a.Summary.SourceRate != 48000 || a.Summary.SampleRate != AnalysisRate || len(a.FrameTimes) == 0 {
		t.Fatalf("%v %+v", err, a)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after Analyze, %d before", runtime.NumGoroutine(), before)
}

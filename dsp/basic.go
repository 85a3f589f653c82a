package dsp

import (
	"fmt"
	"io"
	"math"
)

// Framing of the per-frame series, as in the original frontend analysis.
const (
	FrameSize = 1024 // samples per analysis frame
	HopSize   = 512  // samples between frame starts
)

// silenceDBFS is the PeakDBFS reported for digital silence (20·log10(0) is
// -Inf, which JSON cannot carry); quieter peaks are raised to it too.
const silenceDBFS = -120

// Basic is the foundation analysis: real, basic features of a track.
type Basic struct {
	SampleRate int       `json:"sample_rate"`
	Channels   int       `json:"channels"`
	Duration   float64   `json:"duration"`    // seconds
	Frames     int64     `json:"frames"`      // sample frames decoded
	Peak       float64   `json:"peak"`        // max |sample| over all channels, linear 0..1
	PeakDBFS   float64   `json:"peak_dbfs"`   // 20·log10(peak), floored at -120 (silence)
	FrameSize  int       `json:"frame_size"`  // 1024
	HopSize    int       `json:"hop_size"`    // 512
	FrameTimes []float64 `json:"frame_times"` // frame START time i·512/SampleRate (as the original frontend)
	RMS        []float32 `json:"rms"`         // per-frame RMS of the mono mix-down, frames while pos+1024 <= len
	Waveform   Waveform  `json:"waveform"`
}

// AnalyzeBasic decodes a WAV stream and computes Basic in one streaming pass:
// memory does not grow with the track length beyond the output series (the
// decoded signal is never held). The mono mix-down is the channel mean. A
// track of n frames has max(0, floor((n-1024)/512)+1) RMS frames, and
// FrameTimes[i] = i·512/SampleRate is the START of frame i, as in the
// original frontend (not the frame centre). Reading stops at the end of the
// data chunk: chunks after it are never read from r. It recovers decoder
// panics into ErrInvalid errors.
func AnalyzeBasic(r io.Reader, lim Limits) (b *Basic, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("%w: WAV decoder panicked: %v", ErrInvalid, p)
		}
	}()
	wr, err := NewWAVReader(r, lim)
	if err != nil {
		return nil, err
	}
	f := wr.Format()
	acc := newBasicAcc(f)
	buf := make([]float32, readBufFrames*f.Channels)
	for {
		n, err := wr.Read(buf)
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		acc.add(buf[:n])
	}
	return acc.result(), nil
}

// basicAcc accumulates Basic one block of interleaved samples at a time.
// Because HopSize is half of FrameSize, frame k covers hop blocks k and k+1,
// so its RMS comes from the sums of squares of two consecutive blocks.
type basicAcc struct {
	format   Format
	peak     float32
	frames   int64
	blockSq  float64 // Σ mono² of the current hop block
	blockN   int     // samples in the current hop block
	prevSq   float64 // Σ mono² of the previous complete hop block
	havePrev bool
	rms      []float32
	wave     *waveAcc
}

func newBasicAcc(f Format) *basicAcc {
	a := &basicAcc{format: f, wave: newWaveAcc()}
	if f.Frames > 0 {
		// The header is already checked against the limits; the cap keeps a
		// truncated file from reserving much more than it holds.
		a.rms = make([]float32, 0, min(f.Frames/HopSize, 1<<16))
	}
	return a
}

// add consumes interleaved samples, a whole number of frames.
func (a *basicAcc) add(samples []float32) {
	ch := a.format.Channels
	scale := 1 / float32(ch)
	for i := 0; i+ch <= len(samples); i += ch {
		var sum float32
		for _, v := range samples[i : i+ch] {
			sum += v
			a.peak = max(a.peak, v, -v)
		}
		m := sum * scale
		a.wave.add(m)
		a.blockSq += float64(m) * float64(m)
		a.blockN++
		if a.blockN == HopSize {
			if a.havePrev {
				a.rms = append(a.rms, float32(math.Sqrt((a.prevSq+a.blockSq)/FrameSize)))
			}
			a.prevSq, a.havePrev = a.blockSq, true
			a.blockSq, a.blockN = 0, 0
		}
	}
	a.frames += int64(len(samples) / ch)
}

func (a *basicAcc) result() *Basic {
	rate := a.format.SampleRate
	times := make([]float64, len(a.rms))
	for i := range times {
		times[i] = float64(i*HopSize) / float64(rate)
	}
	rms := a.rms
	if rms == nil {
		rms = []float32{} // JSON [] rather than null
	}
	peak := float64(a.peak)
	return &Basic{
		SampleRate: rate,
		Channels:   a.format.Channels,
		Duration:   float64(a.frames) / float64(rate),
		Frames:     a.frames,
		Peak:       peak,
		PeakDBFS:   max(20*math.Log10(peak), silenceDBFS),
		FrameSize:  FrameSize,
		HopSize:    HopSize,
		FrameTimes: times,
		RMS:        rms,
		Waveform:   a.wave.result(),
	}
}

package jobs

import (
	"encoding/json"

	"phonoglyph"
	"phonoglyph/dsp"
)

// basicFeatures are the per-frame series of a basic analysis.
var basicFeatures = []string{"rms", "volume"}

// analysisData is the frontend's analysisData document for a basic analysis.
// Frame times are frame starts (pos/sampleRate) at 1024/512, like the
// original frontend's analysis.
type analysisData struct {
	FrameTimes []float64    `json:"frameTimes"`
	RMS        []float32    `json:"rms"`
	Volume     []float32    `json:"volume"`
	Summary    trackSummary `json:"summary"`
}

type trackSummary struct {
	Channels int     `json:"channels"`
	Frames   int64   `json:"frames"`
	Peak     float64 `json:"peak"`
	PeakDBFS float64 `json:"peakDbfs"`
	HopSize  int     `json:"hopSize"`
}

// waveformData is the frontend's waveformData document: points are the max
// absolute sample per bucket, min and max the signed extremes.
type waveformData struct {
	Points     []float32 `json:"points"`
	Min        []float32 `json:"min"`
	Max        []float32 `json:"max"`
	SampleRate int       `json:"sampleRate"`
	Duration   float64   `json:"duration"`
	Markers    []any     `json:"markers"`
}

func basicAnalysis(b *dsp.Basic) (*phonoglyph.Analysis, error) {
	data, err := json.Marshal(analysisData{
		FrameTimes: b.FrameTimes, RMS: b.RMS, Volume: b.RMS,
		Summary: trackSummary{Channels: b.Channels, Frames: b.Frames, Peak: b.Peak, PeakDBFS: b.PeakDBFS, HopSize: b.HopSize},
	})
	if err != nil {
		return nil, err
	}
	points := make([]float32, len(b.Waveform.Max))
	for i := range points {
		points[i] = max(b.Waveform.Max[i], -b.Waveform.Min[i])
	}
	wave, err := json.Marshal(waveformData{
		Points: points, Min: b.Waveform.Min, Max: b.Waveform.Max,
		SampleRate: b.SampleRate, Duration: b.Duration, Markers: []any{},
	})
	if err != nil {
		return nil, err
	}
	return &phonoglyph.Analysis{
		Version: AnalysisVersion, SampleRate: b.SampleRate, Duration: b.Duration, BufferSize: b.FrameSize,
		Features: basicFeatures, Data: data, Waveform: wave,
	}, nil
}

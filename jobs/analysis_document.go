package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/storage"
)

// AnalysisVersion is the analysis_version of rows this worker writes.
const AnalysisVersion = dsp.AnalysisVersion

// analysisDataKey is where a file's per-frame analysis document lives: under
// its owner and file, so deleting the file frees it.
func analysisDataKey(userID, fileID, stem string) string {
	return path.Join("analysis", userID, fileID, stem+"-"+AnalysisVersion+".json")
}

// thumbnailKey is the waveform thumbnail of a file.
func thumbnailKey(fileID string) string {
	return path.Join("thumbnails", fileID+"_thumb.png")
}

// fullData is the frontend's analysisData document: one frameTimes shared by
// every series (frame starts pos/sampleRate at 1024/512), chroma as the
// frontend's {time,pitch,confidence} objects, the 12-bin vectors beside it,
// events, normalisation metadata and the track summary.
func fullData(a *dsp.Analysis) ([]byte, error) {
	doc := map[string]any{"frameTimes": a.FrameTimes}
	for name, series := range a.Series {
		doc[name] = series
	}
	if a.MFCC != nil {
		doc["mfcc"] = a.MFCC
	}
	if a.Pitch != nil {
		doc["chroma"] = a.Pitch
	}
	if a.Chroma != nil {
		doc["chromaVectors"] = a.Chroma
	}
	if a.Spectrum != nil {
		doc["amplitudeSpectrum"] = a.Spectrum
	}
	doc["transients"], doc["beats"], doc["onsets"] = a.Transients, a.Beats, a.Onsets
	doc["downbeats"], doc["beatPositions"], doc["sections"] = a.Downbeats, a.BeatPositions, a.Sections
	doc["normalizationMeta"], doc["bpm"], doc["summary"] = a.Normalization, a.Summary.BPM, a.Summary
	return json.Marshal(doc)
}

// rowData is the small part of the analysis kept on the row: the summary
// and the beats (what renders and listings read without the blob).
func rowData(a *dsp.Analysis) ([]byte, error) {
	return json.Marshal(map[string]any{"summary": a.Summary, "bpm": a.Summary.BPM, "beats": a.Beats,
		"downbeats": a.Downbeats, "sections": a.Sections})
}

// marker is a waveform marker the frontend draws.
type marker struct {
	Time      float64 `json:"time"`
	Type      string  `json:"type"`
	Intensity float32 `json:"intensity"`
}

// waveformData is the frontend's waveformData document: points are the max
// absolute sample per bucket, min and max the signed extremes, markers the
// beats and onsets.
type waveformData struct {
	Points     []float32 `json:"points"`
	Min        []float32 `json:"min"`
	Max        []float32 `json:"max"`
	SampleRate int       `json:"sampleRate"`
	Duration   float64   `json:"duration"`
	Markers    []marker  `json:"markers"`
}

func waveformDoc(a *dsp.Analysis) ([]byte, error) {
	w := a.Waveform
	points := make([]float32, len(w.Max))
	for i := range points {
		points[i] = max(w.Max[i], -w.Min[i])
	}
	markers := make([]marker, 0, len(a.Beats)+len(a.Transients))
	for _, b := range a.Beats {
		markers = append(markers, marker{Time: b, Type: "beat", Intensity: 1})
	}
	for _, t := range a.Transients {
		markers = append(markers, marker{Time: t.Time, Type: "onset", Intensity: t.Intensity})
	}
	return json.Marshal(waveformData{Points: points, Min: w.Min, Max: w.Max, SampleRate: a.Summary.SampleRate,
		Duration: a.Summary.Duration, Markers: markers})
}

// waveformOf reads the waveform back from a row's waveformData, for
// thumbnails of analyses served from the content cache.
func waveformOf(raw []byte) (dsp.Waveform, error) {
	var w waveformData
	err := json.Unmarshal(raw, &w)
	return dsp.Waveform{Points: len(w.Min), Min: w.Min, Max: w.Max}, err
}

// AnalysisData opens an analysis's analysisData document: the blob when the
// per-frame data was stored apart, else the row's own JSON.
func AnalysisData(ctx context.Context, blobs storage.Blobs, a *phonoglyph.Analysis) (io.ReadCloser, error) {
	if a.DataKey == nil {
		return io.NopCloser(bytes.NewReader(a.Data)), nil
	}
	rc, _, err := blobs.Open(ctx, *a.DataKey)
	return rc, err
}

package phonoglyph

import (
	"encoding/json"
	"time"
)

// Analysis is one cached analysis of a file's audio for one stem type and
// analysis version (table audio_analysis_cache). Data and Waveform are the
// JSON documents the frontend reads.
type Analysis struct {
	ID                 string
	UserID             string
	FileID             string
	StemType           StemType
	Version            string
	SampleRate         int
	Duration           float64
	BufferSize         int
	Features           []string
	Data               json.RawMessage
	Waveform           json.RawMessage
	DataKey            *string // blob holding the full analysisData when Data holds only the summary
	ContentSHA256      *string
	AnalysisDurationMS int
	CreatedAt          time.Time
}

// AnalysisDocument is the cached-analysis JSON the frontend (and a render's
// analysis file) reads.
type AnalysisDocument struct {
	ID             string           `json:"id"`
	FileMetadataID string           `json:"fileMetadataId"`
	StemType       StemType         `json:"stemType"`
	AnalysisData   json.RawMessage  `json:"analysisData"`
	WaveformData   json.RawMessage  `json:"waveformData"`
	Metadata       AnalysisMetadata `json:"metadata"`
}

// AnalysisMetadata describes how an analysis was made.
type AnalysisMetadata struct {
	SampleRate        int      `json:"sampleRate"`
	Duration          float64  `json:"duration"`
	BufferSize        int      `json:"bufferSize"`
	FeaturesExtracted []string `json:"featuresExtracted"`
	AnalysisDuration  int      `json:"analysisDuration"`
	AnalysisVersion   string   `json:"analysisVersion"`
}

// Document returns the analysis in the frontend's shape.
func (a *Analysis) Document() AnalysisDocument {
	return AnalysisDocument{
		ID: a.ID, FileMetadataID: a.FileID, StemType: a.StemType, AnalysisData: a.Data, WaveformData: a.Waveform,
		Metadata: AnalysisMetadata{SampleRate: a.SampleRate, Duration: a.Duration, BufferSize: a.BufferSize,
			FeaturesExtracted: a.Features, AnalysisDuration: a.AnalysisDurationMS, AnalysisVersion: a.Version},
	}
}

// AnalysisJob is one analysis of a file for a stem type and analysis
// version (table audio_analysis_jobs).
type AnalysisJob struct {
	Job
	UserID   string
	StemType StemType
	Version  string
}

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
	StemType           string
	Version            string
	SampleRate         int
	Duration           float64
	BufferSize         int
	Features           []string
	Data               json.RawMessage
	Waveform           json.RawMessage
	ContentSHA256      *string
	AnalysisDurationMS int
	CreatedAt          time.Time
}

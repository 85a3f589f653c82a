package phonoglyph

import (
	"encoding/json"
	"time"
)

// KindMIDIParse is the job kind that parses an uploaded MIDI file.
const KindMIDIParse = "midi_parse"

// MIDIFile is a parsed (or pending) MIDI upload (table midi_files). Its
// parsing status follows the job status vocabulary.
type MIDIFile struct {
	ID               string          `json:"id"`
	FileID           string          `json:"file_id"`
	UserID           string          `json:"-"`
	FileKey          string          `json:"-"`
	OriginalFilename string          `json:"original_filename"`
	FileSize         int64           `json:"file_size"`
	DurationSeconds  *float64        `json:"duration_seconds"`
	TrackCount       *int            `json:"track_count"`
	NoteCount        *int            `json:"note_count"`
	TimeSignature    *string         `json:"time_signature"`
	KeySignature     *string         `json:"key_signature"`
	TempoBPM         *float64        `json:"tempo_bpm"`
	ParsingStatus    string          `json:"parsing_status"`
	ParsedData       json.RawMessage `json:"parsed_data,omitempty"`
	Error            *string         `json:"error"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// VisualizationSettings are a user's piano-roll settings for a MIDI file
// (table visualization_settings).
type VisualizationSettings struct {
	ColorScheme     string `json:"color_scheme"`
	PixelsPerSecond int    `json:"pixels_per_second"`
	ShowTrackLabels bool   `json:"show_track_labels"`
	ShowVelocity    bool   `json:"show_velocity"`
	MinKey          int    `json:"min_key"`
	MaxKey          int    `json:"max_key"`
}

// DefaultVisualizationSettings are the original product's defaults.
func DefaultVisualizationSettings() VisualizationSettings {
	return VisualizationSettings{ColorScheme: "mixed", PixelsPerSecond: 50, ShowTrackLabels: true, ShowVelocity: true, MinKey: 21, MaxKey: 108}
}

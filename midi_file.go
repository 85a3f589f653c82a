package phonoglyph

import (
	"encoding/json"
	"time"
)

// MIDIFile is a parsed (or pending) MIDI upload (table midi_files): the
// row of its midi_parse job, so its parsing status is a job Status.
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
	ParsingStatus    Status          `json:"parsing_status"`
	ParsedData       json.RawMessage `json:"parsed_data,omitempty"`
	Error            *string         `json:"error"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// MIDIParse is what a finished parse stores next to the parsed document.
type MIDIParse struct {
	DurationSeconds float64
	TrackCount      int
	NoteCount       int
	TimeSignature   string
	KeySignature    string
	TempoBPM        float64
	ParsedData      json.RawMessage
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

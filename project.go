package phonoglyph

import (
	"encoding/json"
	"time"
)

// Project privacy settings.
const (
	PrivacyPrivate  = "private"
	PrivacyUnlisted = "unlisted"
	PrivacyPublic   = "public"
)

// Project groups a user's files, jobs and renders (table projects).
type Project struct {
	ID                  string          `json:"id"`
	UserID              string          `json:"user_id"`
	Name                string          `json:"name"`
	Description         *string         `json:"description"`
	Genre               *string         `json:"genre"`
	PrivacySetting      string          `json:"privacy_setting"`
	RenderConfiguration json.RawMessage `json:"render_configuration"`
	ThumbnailURL        *string         `json:"thumbnail_url"`
	PrimaryMIDIFileID   *string         `json:"primary_midi_file_id"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
}

// EditState is one saved version of a user's editor state for a project
// (table edit_states).
type EditState struct {
	ID        string          `json:"id"`
	ProjectID string          `json:"project_id"`
	Version   int             `json:"version"`
	Data      json.RawMessage `json:"data,omitempty"`
	IsCurrent bool            `json:"is_current"`
	CreatedAt time.Time       `json:"created_at"`
}

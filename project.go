package phonoglyph

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"
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

// ProjectQuery selects and orders a listing of projects.
type ProjectQuery struct {
	Search string // case-insensitive substring of the name
	Sort   string // created_at | updated_at | name
	Desc   bool
	Limit  int
	Offset int
}

// NewProjectID makes a project id in the original's format
// proj_<ms>_<9 base-36 digits>.
func NewProjectID(now time.Time) string {
	n, _ := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(36), big.NewInt(9), nil))
	return fmt.Sprintf("proj_%d_%09s", now.UnixMilli(), n.Text(36))
}

// CleanProjectName trims a project name and checks it has 1 to 100
// characters.
func CleanProjectName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return "", Errorf(EINVALID, "name: must be 1 to 100 characters.")
	}
	return name, nil
}

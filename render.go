package phonoglyph

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// RenderRequest is what a person asks of a video render.
type RenderRequest struct {
	ProjectID       *string         `json:"project_id,omitempty"`
	ProjectName     string          `json:"project_name,omitempty"`
	Composition     string          `json:"composition"`
	InputProps      json.RawMessage `json:"input_props,omitempty"`
	AnalysisFileIDs []string        `json:"analysis_file_ids,omitempty"`
	MasterFileID    *string         `json:"master_file_id,omitempty"`
	Codec           string          `json:"codec"`
	AspectRatio     string          `json:"aspect_ratio"`
	FPS             int             `json:"fps,omitempty"`
}

// Render is a video render job (table renders).
type Render struct {
	ID           string          `json:"id"`
	UserID       string          `json:"-"`
	ProjectID    *string         `json:"project_id"`
	ProjectName  *string         `json:"project_name"`
	Status       string          `json:"status"`
	Progress     int             `json:"progress"`
	Error        *string         `json:"error"`
	OutputFileID *string         `json:"output_file_id"`
	Costs        json.RawMessage `json:"costs"`
	ExpiresAt    *time.Time      `json:"expires_at"`
	Request      RenderRequest   `json:"request"`
	RenderID     *string         `json:"-"` // Remotion's renderId
	BucketName   *string         `json:"-"`
	Dispatched   bool            `json:"-"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// Finished reports whether the render reached a terminal status.
func (r *Render) Finished() bool {
	return r.Status == StatusCompleted || r.Status == StatusFailed || r.Status == StatusCancelled
}

// RenderSize is the frame size of an aspect ratio, as the original
// composition defines it: 9:16 1080×1920 (the default), 16:9 1920×1080, 1:1
// 1080×1080, landscape 1920×1200, any other w:h with its long side 1920.
// maxLong > 0 scales the frame down so its long side is at most maxLong.
// Dimensions are even, as H.264 needs.
func RenderSize(aspect string, maxLong int) (width, height int, err error) {
	switch aspect {
	case "", "9:16":
		width, height = 1080, 1920
	case "16:9":
		width, height = 1920, 1080
	case "1:1":
		width, height = 1080, 1080
	case "landscape":
		width, height = 1920, 1200
	default:
		w, h, ok := strings.Cut(aspect, ":")
		a, errA := strconv.Atoi(w)
		b, errB := strconv.Atoi(h)
		if !ok || errA != nil || errB != nil || a < 1 || b < 1 || a > 100*b || b > 100*a {
			return 0, 0, Errorf(EINVALID, "aspect_ratio: use 9:16, 16:9, 1:1, landscape or w:h.")
		}
		if a >= b {
			width, height = 1920, 1920*b/a
		} else {
			width, height = 1920*a/b, 1920
		}
	}
	if long := max(width, height); maxLong > 0 && long > maxLong {
		width, height = width*maxLong/long, height*maxLong/long
	}
	return max(2, width&^1), max(2, height&^1), nil
}

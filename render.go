package phonoglyph

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

// Render request limits: input props stay far below Lambda's inline limit
// (the analysis travels by URL), and a render reads a bounded set of files.
const (
	maxInputProps    = 150 << 10
	maxAnalysisFiles = 20
)

// Normalize fills a render request's defaults (RayboxMain, h264, 9:16) and
// validates its own fields, naming the offending one. Whether the files and
// the project it names are the caller's is for the caller to check.
func (req *RenderRequest) Normalize() error {
	if req.Composition == "" {
		req.Composition = "RayboxMain"
	}
	if utf8.RuneCountInString(req.Composition) > 100 {
		return Errorf(EINVALID, "composition: must be at most 100 characters.")
	}
	if req.Codec == "" {
		req.Codec = "h264"
	}
	if req.Codec != "h264" {
		return Errorf(EINVALID, "codec: only h264 is supported.")
	}
	if req.AspectRatio == "" {
		req.AspectRatio = "9:16"
	}
	if _, _, err := RenderSize(req.AspectRatio, 0); err != nil {
		return err
	}
	if req.FPS != 0 && req.FPS != 30 && req.FPS != 60 {
		return Errorf(EINVALID, "fps: must be 30 or 60.")
	}
	if len(req.InputProps) > maxInputProps {
		return Errorf(ETOOLARGE, "input_props: must be at most %d KiB; pass analyses by analysis_file_ids.", maxInputProps>>10)
	}
	if len(req.InputProps) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(req.InputProps, &obj) != nil || obj == nil {
			return Errorf(EINVALID, "input_props: must be a JSON object.")
		}
	}
	if len(req.AnalysisFileIDs) > maxAnalysisFiles {
		return Errorf(EINVALID, "analysis_file_ids: at most %d files.", maxAnalysisFiles)
	}
	req.ProjectName = strings.TrimSpace(req.ProjectName)
	return nil
}

// Render is a video render job (table renders).
type Render struct {
	ID           string          `json:"id"`
	UserID       string          `json:"-"`
	ProjectID    *string         `json:"project_id"`
	ProjectName  *string         `json:"project_name"`
	Status       Status          `json:"status"`
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
	return r.Status.Finished()
}

// Frame sizes of the original composition: every full-size frame has a
// long side of renderLong, and a custom w:h may be at most maxRenderRatio:1.
const (
	renderLong     = 1920
	maxRenderRatio = 8
	minRatioTerm   = 0.01 // w and h of "w:h" lie in minRatioTerm..maxRatioTerm
	maxRatioTerm   = 10000
)

// RenderSize is the frame size of an aspect ratio, as the original Remotion
// composition defines it: "9:16" 1080×1920 (also the default, for ""),
// "16:9" 1920×1080, "1:1" 1080×1080, "landscape" 1920×1200, and any other
// "w:h" (numbers 0.01..10000, at most 8:1 either way) with a long side of 1920.
// maxLong > 0 scales the frame down so its long side is at most maxLong
// (1280 for 720p). Both sides are even, as yuv420p H.264 requires. An invalid
// aspect ratio is an EINVALID error naming aspect_ratio.
func RenderSize(aspect string, maxLong int) (width, height int, err error) {
	switch a := strings.ToLower(strings.TrimSpace(aspect)); a {
	case "", "9:16":
		width, height = 1080, 1920
	case "16:9":
		width, height = 1920, 1080
	case "1:1":
		width, height = 1080, 1080
	case "landscape":
		width, height = 1920, 1200
	default:
		w, h, ok := parseRatio(a)
		if !ok {
			return 0, 0, Errorf(EINVALID, "aspect_ratio: use 9:16, 16:9, 1:1, landscape or w:h with numbers 0.01..10000.")
		}
		if w/h > maxRenderRatio || h/w > maxRenderRatio {
			return 0, 0, Errorf(EINVALID, "aspect_ratio: at most %d:1 either way.", maxRenderRatio)
		}
		if w >= h {
			width, height = renderLong, even(renderLong*h/w)
		} else {
			width, height = even(renderLong*w/h), renderLong
		}
	}
	if long := max(width, height); maxLong > 0 && long > maxLong {
		scale := float64(maxLong-maxLong%2) / float64(long)
		width, height = even(float64(width)*scale), even(float64(height)*scale)
	}
	return width, height, nil
}

// parseRatio parses "w:h" with finite positive w and h.
func parseRatio(s string) (w, h float64, ok bool) {
	ws, hs, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	w, werr := strconv.ParseFloat(strings.TrimSpace(ws), 64)
	h, herr := strconv.ParseFloat(strings.TrimSpace(hs), 64)
	valid := func(v float64) bool { return v >= minRatioTerm && v <= maxRatioTerm }
	return w, h, werr == nil && herr == nil && valid(w) && valid(h)
}

// even rounds v to the nearest even integer, at least 2.
func even(v float64) int {
	return max(2, 2*int(math.Round(v/2)))
}

package visualizer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// baseLong is the long side, in pixels, of every full-size frame.
const baseLong = 1920

// maxRatio bounds how elongated a custom "w:h" aspect ratio may be; beyond
// it the short side of a scaled-down render would be a sliver.
const maxRatio = 8

// Size returns the frame size for an aspect ratio, matching the original
// Remotion composition: "9:16" is 1080×1920 (also the default, for ""),
// "16:9" 1920×1080, "1:1" 1080×1080, "landscape" 1920×1200, and any other
// "w:h" (positive numbers, at most 8:1 either way) has a long side of 1920.
// The result is then scaled down so the long side is at most maxLong (1280
// for 720p renders; maxLong <= 0 means no limit). Both dimensions are always
// even, as yuv420p H.264 requires. An invalid aspect ratio gives an error
// naming aspect_ratio.
func Size(aspect string, maxLong int) (width, height int, err error) {
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
			return 0, 0, fmt.Errorf("aspect_ratio %q: want 9:16, 16:9, 1:1, landscape or w:h with positive numbers", aspect)
		}
		if w/h > maxRatio || h/w > maxRatio {
			return 0, 0, fmt.Errorf("aspect_ratio %q: more elongated than %d:1", aspect, maxRatio)
		}
		if w >= h {
			width, height = baseLong, even(baseLong*h/w)
		} else {
			width, height = even(baseLong*w/h), baseLong
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
	valid := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	return w, h, werr == nil && herr == nil && valid(w) && valid(h)
}

// even rounds v to the nearest even integer, at least 2.
func even(v float64) int {
	return max(2, 2*int(math.Round(v/2)))
}

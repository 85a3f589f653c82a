package dsp

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// Bounds of WaveformPNG's image size, in pixels.
const (
	maxPNGWidth  = 4096
	maxPNGHeight = 2048
)

// WaveformColor is the colour WaveformPNG draws with (on transparency).
var WaveformColor = color.NRGBA{R: 0x7c, G: 0x5c, B: 0xff, A: 0xff}

// WaveformPNG renders w as a width×height PNG thumbnail: column x spans the
// min..max of the waveform points it covers, centred on the zero line, on a
// transparent background (at least one pixel per column, so silence draws a
// line). Sizes must be 1..4096 wide and 1..2048 high.
func WaveformPNG(w Waveform, width, height int) ([]byte, error) {
	if width < 1 || width > maxPNGWidth || height < 1 || height > maxPNGHeight {
		return nil, fmt.Errorf("waveform PNG size %d×%d is outside 1..%d × 1..%d", width, height, maxPNGWidth, maxPNGHeight)
	}
	if len(w.Min) != len(w.Max) {
		return nil, fmt.Errorf("waveform has %d min and %d max points", len(w.Min), len(w.Max))
	}
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	n := len(w.Min)
	mid := float64(height-1) / 2
	row := func(v float32) int {
		v = max(-1, min(1, v))
		if v != v {
			v = 0
		}
		return min(height-1, max(0, int(mid-float64(v)*mid+0.5)))
	}
	for x := range width {
		lo, hi := float32(0), float32(0)
		if n > 0 {
			a := x * n / width
			b := max(a+1, (x+1)*n/width)
			lo, hi = w.Min[a], w.Max[a]
			for i := a; i < b && i < n; i++ {
				lo, hi = min(lo, w.Min[i]), max(hi, w.Max[i])
			}
		}
		top, bot := row(hi), row(lo)
		for y := top; y <= bot; y++ {
			img.SetNRGBA(x, y, WaveformColor)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

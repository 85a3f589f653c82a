package visualizer

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"phonoglyph/childproc"
)

// Info is what Probe learns about a media file.
type Info struct {
	Duration   float64 // seconds, from the container (0 when unknown)
	VideoCodec string  // codec of the first video stream ("h264"); "" without video
	Width      int     // of the first video stream
	Height     int     // of the first video stream
	HasAudio   bool    // whether any audio stream exists
	FPS        float64 // average frame rate of the first video stream
}

// Probe runs ffprobe (the binary ffprobe, or ffprobe on PATH when empty) on
// path and returns its duration, first video stream and whether it has
// audio. The worker uses it to verify a render and Render to time the audio.
// An unreadable file gives an error with ffprobe's message.
func Probe(ctx context.Context, ffprobe, path string) (*Info, error) {
	bin, err := lookPath(ffprobe, "ffprobe")
	if err != nil {
		return nil, err
	}
	cmd := childproc.Command(ctx, bin, "-v", "error", "-of", "json",
		"-show_entries", "format=duration:stream=codec_type,codec_name,width,height,avg_frame_rate",
		fileURL(path))
	cmd.WaitDelay = waitDelay
	stderr := &tailBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("probing stopped: %w", ctx.Err())
		}
		return nil, fmt.Errorf("ffprobe failed (%v): %s", err, stderr.lastLines(4))
	}
	var doc struct {
		Streams []struct {
			CodecType    string `json:"codec_type"`
			CodecName    string `json:"codec_name"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("reading ffprobe's output: %w", err)
	}
	info := &Info{}
	if d, err := strconv.ParseFloat(doc.Format.Duration, 64); err == nil {
		info.Duration = d
	}
	for _, s := range doc.Streams {
		switch s.CodecType {
		case "audio":
			info.HasAudio = true
		case "video":
			if info.VideoCodec == "" {
				info.VideoCodec, info.Width, info.Height = s.CodecName, s.Width, s.Height
				info.FPS = parseRate(s.AvgFrameRate)
			}
		}
	}
	return info, nil
}

// parseRate parses an ffprobe rate such as "30/1" or "30000/1001"; "0/0"
// and anything unparsable give 0.
func parseRate(s string) float64 {
	num, den, found := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0
	}
	if !found {
		return n
	}
	d, err := strconv.ParseFloat(den, 64)
	if err != nil || d == 0 {
		return 0
	}
	return n / d
}

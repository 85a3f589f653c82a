// Package visualizer is the local renderer: with no Remotion Lambda
// configured, it turns the master audio into an MP4 visualiser with ffmpeg
// (a scrolling spectrogram over an oscilloscope, white flashes on the beats,
// an optional title) and verifies outputs with ffprobe.
package visualizer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"phonoglyph/childproc"
)

// ErrNoFFmpeg is returned (wrapped) by Render and Probe when the ffmpeg or
// ffprobe binary cannot be found.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: the local renderer needs it")

// preset is the libx264 speed preset: veryfast renders 720p at 30 fps
// comfortably faster than real time on two cores (see BenchmarkRender720p).
const preset = "veryfast"

// waitDelay bounds how long Render and Probe wait for a killed ffmpeg's
// pipes to close after their context ends.
const waitDelay = 5 * time.Second

// Options describes one render.
type Options struct {
	Audio         string    // path of the master audio file (any format ffmpeg reads)
	Output        string    // path of the MP4 to write (replaced if it exists, removed if the render fails)
	Width, Height int       // frame size: even, 128 to 4096 (phonoglyph.RenderSize)
	FPS           int       // 30 or 60
	Beats         []float64 // beat times in seconds (optional): brief white flashes
	Title         string    // optional; drawn only when a font (and ffmpeg's drawtext) is available
	Duration      float64   // audio duration in seconds if known (for progress); probed with ffprobe when 0
	FFmpeg        string    // ffmpeg binary; "" means ffmpeg on PATH
	FFprobe       string    // ffprobe binary; "" means ffprobe on PATH
}

// Render runs ffmpeg to draw the visualiser for opt.Audio at
// opt.Width×opt.Height and opt.FPS, encoded as H.264 (libx264, yuv420p) with
// the audio in AAC, as a fast-start MP4 at opt.Output that lasts as long as
// the audio. progress (optional) is called on the calling goroutine with
// non-decreasing fractions in (0, 1], parsed from ffmpeg's -progress output;
// it gets 1 only when the render succeeded.
//
// Cancelling ctx kills ffmpeg and returns an error wrapping ctx.Err(). A
// missing binary gives an error wrapping ErrNoFFmpeg; a failing ffmpeg
// gives one that ends with the last lines of its error output.
func Render(ctx context.Context, opt Options, progress func(float64)) error {
	if err := opt.validate(); err != nil {
		return err
	}
	ffmpeg, err := lookPath(opt.FFmpeg, "ffmpeg")
	if err != nil {
		return err
	}
	duration := opt.Duration
	if duration <= 0 {
		info, err := Probe(ctx, opt.FFprobe, opt.Audio)
		if err != nil {
			return fmt.Errorf("probing the audio: %w", err)
		}
		if !info.HasAudio {
			return fmt.Errorf("%s has no audio stream", opt.Audio)
		}
		if info.Duration <= 0 {
			return fmt.Errorf("ffprobe cannot tell the duration of %s", opt.Audio)
		}
		duration = info.Duration
	}

	dir, err := os.MkdirTemp("", "visualizer-")
	if err != nil {
		return fmt.Errorf("creating a work directory: %w", err)
	}
	defer os.RemoveAll(dir)
	g := graph{width: opt.Width, height: opt.Height, fps: opt.FPS, beats: cleanBeats(opt.Beats, duration), title: cleanTitle(opt.Title)}
	if g.fontFile, g.textFile, err = titleFiles(ctx, ffmpeg, dir, g.title); err != nil {
		return err
	}
	// The graph goes through a file: one between() per beat can outgrow
	// the kernel's limit on a single argument for long tracks.
	script := filepath.Join(dir, "graph.txt")
	if err := os.WriteFile(script, []byte(g.String()), 0o600); err != nil {
		return fmt.Errorf("writing the filtergraph: %w", err)
	}

	cmd := childproc.Command(ctx, ffmpeg,
		"-nostdin", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1", "-y",
		"-i", fileURL(opt.Audio),
		"-filter_complex_script", script,
		"-map", "[v]", "-map", "0:a:0",
		"-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "192k",
		"-movflags", "+faststart", "-shortest", "-f", "mp4", fileURL(opt.Output))
	cmd.WaitDelay = waitDelay
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("starting ffmpeg: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting ffmpeg: %w", err)
	}
	sink := &progressSink{fn: progress}
	readProgress(stdout, duration, sink)
	if err := cmd.Wait(); err != nil {
		os.Remove(opt.Output)
		if ctx.Err() != nil {
			return fmt.Errorf("rendering stopped: %w", ctx.Err())
		}
		return fmt.Errorf("ffmpeg failed (%v): %s", err, stderr.lastLines(8))
	}
	sink.report(1)
	return nil
}

// validate checks the options Render cannot hand to ffmpeg as they are.
func (opt Options) validate() error {
	switch {
	case opt.Audio == "":
		return errors.New("visualizer: no audio file given")
	case opt.Output == "":
		return errors.New("visualizer: no output file given")
	case opt.Width%2 != 0 || opt.Height%2 != 0 || min(opt.Width, opt.Height) < 128 || max(opt.Width, opt.Height) > 4096:
		return fmt.Errorf("visualizer: frame size %d×%d: want even sides from 128 to 4096", opt.Width, opt.Height)
	case opt.FPS != 30 && opt.FPS != 60:
		return fmt.Errorf("visualizer: fps %d: want 30 or 60", opt.FPS)
	}
	return nil
}

// titleFiles prepares a cleaned title for drawtext: it returns a font file
// and a file in dir holding the text, or two empty strings when there is no
// title to draw (none given, no font on the machine, or an ffmpeg without
// drawtext).
func titleFiles(ctx context.Context, ffmpeg, dir, title string) (fontFile, textFile string, err error) {
	if title == "" {
		return "", "", nil
	}
	fontFile = findFont()
	if fontFile == "" {
		return "", "", nil
	}
	filters, err := childproc.Command(ctx, ffmpeg, "-hide_banner", "-filters").Output()
	if err != nil || !strings.Contains(string(filters), " drawtext ") {
		return "", "", nil
	}
	textFile = filepath.Join(dir, "title.txt")
	if err := os.WriteFile(textFile, []byte(title), 0o600); err != nil {
		return "", "", fmt.Errorf("writing the title: %w", err)
	}
	return fontFile, textFile, nil
}

// lookPath resolves bin (def when empty) to an executable.
func lookPath(bin, def string) (string, error) {
	if bin == "" {
		bin = def
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
	}
	return path, nil
}

// fileURL makes ffmpeg read path as a file even if it contains a colon.
func fileURL(path string) string {
	return "file:" + path
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

// lastLines returns up to n of the last non-empty lines, joined by "; ".
func (t *tailBuffer) lastLines(n int) string {
	var lines []string
	for line := range strings.Lines(string(t.buf)) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "no error output"
	}
	return strings.Join(lines, "; ")
}

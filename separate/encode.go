package separate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"

	"phonoglyph/dsp"
)

// ErrNeedFFmpeg is wrapped by the error for mp3 stems when no ffmpeg binary
// (dsp.FFmpegPath, or ffmpeg on PATH) is installed.
var ErrNeedFFmpeg = errors.New("mp3 stems are encoded by ffmpeg, which is not installed (apt-get install ffmpeg)")

// ErrFormat is wrapped by the error for an output format or rate Separate
// does not write.
var ErrFormat = errors.New("unsupported stem format")

// mp3Rates are the sample rates of MPEG-1, 2 and 2.5 layer III.
var mp3Rates = []int{8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}

// mp3Bitrate is the bitrate of mp3 stems (constant, for stereo; LAME's
// default quality).
const mp3Bitrate = "192k"

// checkOutput validates an output format at a rate and returns the ffmpeg
// binary that encodes it ("" for WAV).
func checkOutput(format string, rate int) (string, error) {
	switch format {
	case "", "wav":
		return "", nil
	case "mp3":
		if !slices.Contains(mp3Rates, rate) {
			return "", fmt.Errorf("separate: %w: mp3 at %d Hz (MP3 has 8000–48000 Hz rates: %v)", ErrFormat, rate, mp3Rates)
		}
		bin := dsp.FFmpegPath
		if bin == "" {
			bin = "ffmpeg"
		}
		path, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("separate: %w", ErrNeedFFmpeg)
		}
		return path, nil
	}
	return "", fmt.Errorf("separate: %w %q: want wav or mp3", ErrFormat, format)
}

// mp3Encoder is a stem writer that takes the stem's WAV and writes it as
// mp3 to the stem's own writer, through an ffmpeg process.
type mp3Encoder struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	dst    io.WriteCloser
	stderr bytes.Buffer
	ended  bool  // ffmpeg has been waited for
	err    error // how it ended
}

// newMP3Encoder starts ffmpeg (bin) encoding a WAV of ch channels into dst.
// Cancelling ctx kills ffmpeg.
func newMP3Encoder(ctx context.Context, bin string, ch int, dst io.WriteCloser) (*mp3Encoder, error) {
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0",
		"-c:a", "libmp3lame", "-b:a", mp3Bitrate}
	if ch > 2 {
		args = append(args, "-ac", "2") // MP3 holds one or two channels
	}
	e := &mp3Encoder{cmd: exec.CommandContext(ctx, bin, append(args, "-f", "mp3", "pipe:1")...), dst: dst}
	e.cmd.Stdout = dst
	e.cmd.Stderr = &e.stderr
	var err error
	if e.stdin, err = e.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ffmpeg: %w", err)
	}
	return e, nil
}

// Write passes WAV bytes to ffmpeg.
func (e *mp3Encoder) Write(p []byte) (int, error) {
	if e.ended {
		return 0, e.err
	}
	n, err := e.stdin.Write(p)
	if err != nil { // ffmpeg has gone: say why
		if end := e.end(); end != nil {
			return n, end
		}
		return n, fmt.Errorf("ffmpeg mp3 encoder: %w", err)
	}
	return n, nil
}

// Close ends the WAV, waits for ffmpeg to write the last of the mp3 and
// closes the stem's writer.
func (e *mp3Encoder) Close() error {
	err := e.end()
	if cerr := e.dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// end closes ffmpeg's input and waits for it, once.
func (e *mp3Encoder) end() error {
	if e.ended {
		return e.err
	}
	e.ended = true
	_ = e.stdin.Close() // Wait reports how ffmpeg took it
	if err := e.cmd.Wait(); err != nil {
		e.err = fmt.Errorf("ffmpeg mp3 encoder: %w", err)
		if msg := strings.TrimSpace(e.stderr.String()); msg != "" {
			e.err = fmt.Errorf("%w: %s", e.err, msg)
		}
	}
	return e.err
}

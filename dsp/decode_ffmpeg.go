package dsp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"phonoglyph/childproc"
)

// ErrNeedFFmpeg is returned (wrapped) by Open for formats only ffmpeg decodes
// (AAC/M4A, Opus, AIFF, WMA, …) when no ffmpeg binary is on PATH. It does not
// wrap ErrInvalid: the input may be fine, the machine lacks a tool.
var ErrNeedFFmpeg = errors.New("ffmpeg is required to decode this format but is not installed (apt-get install ffmpeg)")

// maxSpoolBytes caps the compressed input copied to a temporary file for
// ffmpeg (MP4 files often keep their index at the end, so ffmpeg needs a
// seekable file rather than a pipe).
const maxSpoolBytes = 1 << 30

// FFmpegPath is the ffmpeg binary Open runs; empty means "ffmpeg" on PATH.
var FFmpegPath = ""

// ffmpegDecoder decodes through an ffmpeg subprocess that writes 32-bit
// float WAV to a pipe, parsed by WAVReader (so every WAV check and the
// duration limit apply). Close kills the process and removes the spool file.
type ffmpegDecoder struct {
	*WAVReader
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *bytes.Buffer
	spool  string
	once   sync.Once
}

func newFFmpegDecoder(r io.Reader, kind audioKind, lim Limits) (*ffmpegDecoder, error) {
	bin := FFmpegPath
	if bin == "" {
		bin = "ffmpeg"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if kind == kindUnknown {
			return nil, invalid("unrecognised audio format (WAV, MP3, FLAC and Ogg Vorbis are decoded natively; ffmpeg, which decodes the rest, is not installed)")
		}
		return nil, fmt.Errorf("%s audio: %w", kind, ErrNeedFFmpeg)
	}
	tmp, err := os.CreateTemp("", "dsp-ffmpeg-*")
	if err != nil {
		return nil, fmt.Errorf("spooling audio for ffmpeg: %w", err)
	}
	d := &ffmpegDecoder{spool: tmp.Name(), stderr: &bytes.Buffer{}}
	n, err := io.Copy(tmp, io.LimitReader(r, maxSpoolBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("spooling audio for ffmpeg: %w", err)
	}
	if n > maxSpoolBytes {
		d.Close()
		return nil, invalid("the audio file is larger than %d bytes", maxSpoolBytes)
	}
	d.cmd = childproc.Command(context.Background(), path, "-nostdin", "-hide_banner", "-v", "error", "-i", d.spool,
		"-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1")
	d.cmd.Stderr = &limitedBuffer{b: d.stderr, max: 4096}
	if d.stdout, err = d.cmd.StdoutPipe(); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		d.cmd = nil
		d.Close()
		return nil, fmt.Errorf("starting ffmpeg: %w", err)
	}
	d.WAVReader, err = NewWAVReader(d.stdout, lim)
	if err != nil {
		msg := d.wait()
		d.Close()
		if msg != "" {
			return nil, invalid("ffmpeg cannot decode the %s audio: %s", kind, msg)
		}
		return nil, err
	}
	if err := checkFormat(d.WAVReader.Format(), lim); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Read reads decoded samples; ffmpeg's own error message is attached when
// the stream ends in an error.
func (d *ffmpegDecoder) Read(dst []float32) (int, error) {
	n, err := d.WAVReader.Read(dst)
	if err != nil && err != io.EOF && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%w: reading ffmpeg output: %v", ErrInvalid, err)
	}
	if err == io.EOF {
		if msg := d.wait(); msg != "" {
			return 0, invalid("ffmpeg: %s", msg)
		}
	}
	return n, err
}

// wait reaps ffmpeg and returns its error output if it failed.
func (d *ffmpegDecoder) wait() string {
	if d.cmd == nil {
		return ""
	}
	io.Copy(io.Discard, d.stdout)
	err := d.cmd.Wait()
	d.cmd = nil
	if err == nil {
		return ""
	}
	msg := strings.TrimSpace(d.stderr.String())
	if msg == "" {
		msg = err.Error()
	}
	return msg
}

// Close kills ffmpeg if it still runs and removes the spool file.
func (d *ffmpegDecoder) Close() error {
	d.once.Do(func() {
		if d.cmd != nil && d.cmd.Process != nil {
			d.cmd.Process.Kill()
			d.cmd.Wait()
			d.cmd = nil
		}
		os.Remove(d.spool)
	})
	return nil
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

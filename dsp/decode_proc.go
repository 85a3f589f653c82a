package dsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"

	"phonoglyph/childproc"
)

// maxSpoolBytes caps the compressed input copied to a temporary file for a
// decoder that needs a seekable file (ffmpeg: MP4 files often keep their
// index at the end).
const maxSpoolBytes = 1 << 30

// procPipeBytes is the pipe buffer asked for a decoder's output: 3 s of
// 44.1 kHz stereo float, about a scheduler time slice of its decoding.
const procPipeBytes = 1 << 20

// procInput is where Open's input is: the caller's reader, and the regular
// file behind it (with the offset it started at) when it is one.
type procInput struct {
	r     io.Reader // the buffered reader Open peeked through
	file  *os.File  // the caller's file when it is a regular one, else nil
	start int64     // file's offset when Open was called
	// frames is the length the file's header declares where the tool's
	// WAV does not (an MP3's Xing count), -1 when unknown; it only sizes
	// reservations, within the limit.
	frames int64
}

// localFile returns the input's procInput: file is set when r is a regular
// file whose offset can be read (a decoder process then reads it directly).
func localFile(r io.Reader) procInput {
	f, ok := r.(*os.File)
	if !ok {
		return procInput{}
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return procInput{}
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return procInput{}
	}
	return procInput{file: f, start: pos}
}

// procDecoder decodes through a decoder process (a decodeTool: ffmpeg,
// mpg123, flac) that writes WAV to a pipe, parsed by WAVReader (so every
// WAV check and the duration limit apply). Close kills the process and
// removes the spool file, if any.
type procDecoder struct {
	*WAVReader
	tool   *decodeTool
	kind   audioKind
	format Format
	cmd    *exec.Cmd
	stdout io.ReadCloser
	log    *toolLog
	spool  string
	once   sync.Once
}

// newProcDecoder starts tool on the input and reads the WAV header of its
// output. The process reads the caller's regular file directly when it can
// (as its stdin), else the input through a pipe; a tool that needs a
// seekable file gets a spooled copy when the caller's is not usable. rate > 0
// asks a resampling tool to convert to rate Hz (Format.SourceRate is then
// the file's rate, from the tool's description of its input).
func newProcDecoder(t *decodeTool, in procInput, kind audioKind, lim Limits, rate int) (*procDecoder, error) {
	path, err := t.binary()
	if err != nil {
		return nil, err
	}
	d := &procDecoder{tool: t, kind: kind}
	var src string // the input argument: a path, or "-" for stdin
	var stdin io.Reader
	switch {
	case in.file != nil && (!t.seekable || (in.start == 0 && stdinPath != "")):
		if _, err := in.file.Seek(in.start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading audio: %w", err)
		}
		stdin, src = in.file, "-"
		if t.seekable {
			src = stdinPath
		}
	case !t.seekable:
		stdin, src = in.r, "-"
	default:
		if d.spool, err = spool(in.r); err != nil {
			return nil, err
		}
		src = d.spool
	}
	if t.ffmpeg && src == "-" {
		src = "pipe:0"
	}
	d.cmd = childproc.Command(context.Background(), path, t.args(src, rate)...)
	d.cmd.Stdin = stdin
	if len(t.env) > 0 {
		d.cmd.Env = append(os.Environ(), t.env...)
	}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		d.Close()
		return nil, err
	}
	if d.stdout, err = d.cmd.StdoutPipe(); err != nil {
		d.Close()
		return nil, err
	}
	enlargePipe(d.stdout, procPipeBytes)
	if err := d.cmd.Start(); err != nil {
		d.cmd = nil
		d.Close()
		return nil, fmt.Errorf("starting %s: %w", t.name, err)
	}
	d.log = readToolLog(stderr, t.ffmpeg)
	// The declared length is checked below, with the file's kind in the
	// message (and without draining the tool).
	d.WAVReader, err = NewWAVReader(d.stdout, Limits{MaxSeconds: math.Inf(1), MaxChannels: lim.MaxChannels})
	if err != nil {
		werr := d.wait()
		d.Close()
		var failed *toolError
		switch {
		case errors.As(werr, &failed):
			return nil, invalid("%s cannot decode the %s audio: %s", t.name, kind, failed.msg)
		case werr != nil:
			return nil, werr
		case errors.Is(err, ErrInvalid):
			// mpg123 writes nothing and exits 0 when it finds no frame.
			return nil, invalid("%s found no %s audio in the file", t.name, kind)
		}
		return nil, err
	}
	d.format = d.WAVReader.Format()
	// ffmpeg ends AAC (and Opus) on a whole codec frame: a file of exactly
	// MaxSeconds decodes up to one frame longer.
	if limit := (lim.MaxSeconds + ffmpegLimitGrace) * float64(d.format.SampleRate); limit < maxLimitFrames {
		d.WAVReader.maxFrames = int64(limit)
	}
	d.WAVReader.maxSecs, d.WAVReader.what = lim.MaxSeconds, kind.String()
	if err := checkFormat(d.format, lim); err != nil {
		d.Close()
		return nil, err
	}
	// ffmpeg describes its input before it writes the WAV header; the
	// other tools write exact WAV sizes when they know them.
	<-d.log.described
	sec := d.log.duration
	if src := d.log.rate; src != 0 && (src < minSampleRate || src > maxSampleRate) {
		d.Close()
		return nil, invalid("the %s audio's sample rate %d Hz is outside %d–%d Hz", kind, src, minSampleRate, maxSampleRate)
	} else if rate > 0 && src > 0 && src != d.format.SampleRate {
		d.format.SourceRate = src
	}
	if !t.ffmpeg && d.format.Frames < 0 && in.frames > 0 && float64(in.frames) <= lim.MaxSeconds*float64(d.format.SampleRate) {
		d.format.Frames = in.frames
	} else if !t.ffmpeg && d.format.Frames >= 0 {
		sec = float64(d.format.Frames) / float64(d.format.SampleRate)
	}
	if sec > lim.MaxSeconds+ffmpegLimitGrace {
		// Refused before any sample is decoded, as the in-process
		// decoders refuse a header that declares too much.
		d.Close()
		return nil, invalid("the %s file declares %.1f s of audio; the limit is %g s", kind, sec, lim.MaxSeconds)
	} else if sec > 0 && t.ffmpeg {
		// An estimate that errs high: the decoded stream can be longer
		// (AAC pads its last frame, a VBR MP3 without a Xing tag is timed
		// from its bit rate), and a reservation one frame short would copy
		// every per-frame array at the end. Unused capacity is never
		// touched, so it costs no memory.
		sec = min(sec*1.01+ffmpegLimitGrace, lim.MaxSeconds+ffmpegLimitGrace)
		d.format.Frames = int64(math.Ceil(sec * float64(d.format.SampleRate)))
	}
	return d, nil
}

// spool copies r to a temporary file (for ffmpeg, the one tool that needs
// to seek) and returns its name.
func spool(r io.Reader) (string, error) {
	tmp, err := os.CreateTemp("", "dsp-ffmpeg-*")
	if err != nil {
		return "", fmt.Errorf("spooling audio: %w", err)
	}
	n, err := io.Copy(tmp, io.LimitReader(r, maxSpoolBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		err = fmt.Errorf("spooling audio: %w", err)
	case n > maxSpoolBytes:
		err = invalid("the audio file is larger than %d bytes", maxSpoolBytes)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// Format returns the stream format: WAVReader's, with the file's own rate
// and (ffmpeg) the container's duration from the tool's description of its
// input.
func (d *procDecoder) Format() Format { return d.format }

// Read reads decoded samples; the tool's own error message is attached when
// the stream ends in an error or the tool fails.
func (d *procDecoder) Read(dst []float32) (int, error) {
	n, err := d.WAVReader.Read(dst)
	if err == nil {
		return n, nil
	}
	w := d.WAVReader
	if err == io.EOF || w.format.Frames >= 0 && w.read < w.format.Frames {
		// A tool that fails mid-stream ends its output early (a
		// "truncated" WAV): its own words say why. (Other errors, such as
		// the duration limit, leave it to Close: draining it would decode
		// the rest of the file.)
		if werr := d.wait(); werr != nil {
			return 0, werr
		}
	}
	if err != io.EOF && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%w: reading %s output: %v", ErrInvalid, d.tool.name, err)
	}
	return n, err
}

// toolError is a decoder tool's failure: its exit status or its own error
// output. Its Error wraps ErrInvalid.
type toolError struct{ tool, msg string }

func (e *toolError) Error() string { return ErrInvalid.Error() + ": " + e.tool + ": " + e.msg }
func (e *toolError) Unwrap() error { return ErrInvalid }

// wait reaps the tool: nil when it succeeded, a *toolError when it failed,
// and the input's own error when copying the input to its stdin failed.
func (d *procDecoder) wait() error {
	if d.cmd == nil {
		return nil
	}
	io.Copy(io.Discard, d.stdout)
	<-d.log.done // Wait closes the pipe: every line must be read first
	err := d.cmd.Wait()
	d.cmd = nil
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &exit):
		return fmt.Errorf("reading audio: %w", err)
	}
	msg := strings.TrimSpace(d.log.errors.String())
	if msg == "" {
		msg = err.Error()
	}
	return &toolError{tool: d.tool.name, msg: msg}
}

// DecoderProcess names the tool that decodes in a process of its own
// (ffmpeg, mpg123, flac) behind a Decoder from Open or OpenForAnalysis, or
// "" when the decoding runs in this process.
func DecoderProcess(d Decoder) string {
	if r, ok := d.(*resampler); ok {
		d = r.d
	}
	if p, ok := d.(*procDecoder); ok {
		return p.tool.name
	}
	return ""
}

// Close kills the tool if it still runs and removes the spool file.
func (d *procDecoder) Close() error {
	d.once.Do(func() {
		if d.cmd != nil && d.cmd.Process != nil {
			d.cmd.Process.Kill()
			if d.log != nil {
				<-d.log.done
			}
			d.cmd.Wait()
			d.cmd = nil
		}
		if d.spool != "" {
			os.Remove(d.spool)
		}
	})
	return nil
}

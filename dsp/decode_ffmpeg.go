package dsp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
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

// ffmpegLimitGrace is how far, in seconds, ffmpeg's output may run past
// Limits.MaxSeconds: the padding of the last codec frame (an AAC frame of
// 2048 samples at 8 kHz is 0.26 s).
const ffmpegLimitGrace = 0.5

// ffmpegPipeBytes is the pipe buffer asked for ffmpeg's output: 3 s of
// 44.1 kHz stereo float, about a scheduler time slice of ffmpeg's decoding.
const ffmpegPipeBytes = 1 << 20

// FFmpegPath is the ffmpeg binary Open runs; empty means "ffmpeg" on PATH.
var FFmpegPath = ""

// ffmpegDecoder decodes through an ffmpeg subprocess that writes 32-bit
// float WAV to a pipe, parsed by WAVReader (so every WAV check and the
// duration limit apply). Close kills the process and removes the spool file.
type ffmpegDecoder struct {
	*WAVReader
	format Format
	cmd    *exec.Cmd
	stdout io.ReadCloser
	log    *ffmpegLog
	spool  string
	once   sync.Once
}

// newFFmpegDecoder spools r to a temporary file (MP4 files often keep their
// index at the end, and a seekable input gives ffmpeg the duration that sizes
// Analyze's reservations) and starts ffmpeg on it; rate > 0 makes ffmpeg
// resample to rate Hz (Format.SourceRate is then the file's rate, read from
// ffmpeg's description of its input).
func newFFmpegDecoder(r io.Reader, kind audioKind, lim Limits, rate int) (*ffmpegDecoder, error) {
	path, err := ffmpegBinary()
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
	d := &ffmpegDecoder{spool: tmp.Name()}
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
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "level+info", "-i", d.spool,
		"-map", "0:a:0", "-vn", "-sn", "-dn"}
	if rate > 0 {
		// swr's filters at half their default length: resampling 192 kHz
		// 8-channel audio to 44.1 kHz costs a third as much; the error
		// stays 50 dB under a 15 kHz tone, 100 dB under 1 kHz
		// (TestFFmpegResample).
		args = append(args, "-af", "aresample="+strconv.Itoa(rate)+":filter_size=16")
	}
	d.cmd = childproc.Command(context.Background(), path, append(args, "-c:a", "pcm_f32le", "-f", "wav", "pipe:1")...)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		d.Close()
		return nil, err
	}
	if d.stdout, err = d.cmd.StdoutPipe(); err != nil {
		d.Close()
		return nil, err
	}
	enlargePipe(d.stdout, ffmpegPipeBytes)
	if err := d.cmd.Start(); err != nil {
		d.cmd = nil
		d.Close()
		return nil, fmt.Errorf("starting ffmpeg: %w", err)
	}
	d.log = readFFmpegLog(stderr)
	// ffmpeg ends AAC (and Opus) on a whole codec frame: a file of exactly
	// MaxSeconds decodes up to one frame longer.
	wlim := lim
	wlim.MaxSeconds += ffmpegLimitGrace
	d.WAVReader, err = NewWAVReader(d.stdout, wlim)
	if err != nil {
		msg := d.wait()
		d.Close()
		if msg != "" {
			return nil, invalid("ffmpeg cannot decode the %s audio: %s", kind, msg)
		}
		return nil, err
	}
	d.WAVReader.maxSecs, d.WAVReader.what = lim.MaxSeconds, kind.String()
	d.format = d.WAVReader.Format()
	if err := checkFormat(d.format, lim); err != nil {
		d.Close()
		return nil, err
	}
	// ffmpeg describes its input before it writes the WAV header.
	<-d.log.described
	if src := d.log.rate; src != 0 && (src < minSampleRate || src > maxSampleRate) {
		d.Close()
		return nil, invalid("the %s audio's sample rate %d Hz is outside %d–%d Hz", kind, src, minSampleRate, maxSampleRate)
	} else if rate > 0 && src > 0 && src != d.format.SampleRate {
		d.format.SourceRate = src
	}
	if sec := d.log.duration; sec > lim.MaxSeconds+ffmpegLimitGrace {
		// Refused before any sample is decoded, as the in-process
		// decoders refuse a header that declares too much.
		d.Close()
		return nil, invalid("the %s file declares %.1f s of audio; the limit is %g s", kind, sec, lim.MaxSeconds)
	} else if sec > 0 {
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

// ffmpegBinary resolves FFmpegPath (or "ffmpeg") on PATH.
func ffmpegBinary() (string, error) {
	bin := FFmpegPath
	if bin == "" {
		bin = "ffmpeg"
	}
	return exec.LookPath(bin)
}

// ffmpegAvailable reports whether Open can decode through ffmpeg.
func ffmpegAvailable() bool {
	_, err := ffmpegBinary()
	return err == nil
}

// Format returns the stream format: WAVReader's, with the file's own rate
// and the container's duration from ffmpeg's description of its input.
func (d *ffmpegDecoder) Format() Format { return d.format }

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
	<-d.log.done // Wait closes the pipe: every line must be read first
	err := d.cmd.Wait()
	d.cmd = nil
	if err == nil {
		return ""
	}
	msg := strings.TrimSpace(d.log.errors.String())
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
			if d.log != nil {
				<-d.log.done
			}
			d.cmd.Wait()
			d.cmd = nil
		}
		os.Remove(d.spool)
	})
	return nil
}

// ffmpegLog reads ffmpeg's stderr (-v level+info): the first audio stream
// of the input description gives the file's rate, its Duration line the
// length; lines tagged [error], [fatal] or [panic] are kept (up to
// maxFFmpegErrors bytes) for error messages.
type ffmpegLog struct {
	rate      int
	duration  float64 // seconds; 0 when ffmpeg does not know ("N/A")
	errors    bytes.Buffer
	described chan struct{} // closed once the input is described (or stderr ends)
	done      chan struct{} // closed when stderr ends
}

// maxFFmpegErrors caps the error text kept from ffmpeg; maxFFmpegLine caps
// one line (metadata lines can be long; the rest of the line is dropped).
const (
	maxFFmpegErrors = 4096
	maxFFmpegLine   = 4096
)

func readFFmpegLog(r io.Reader) *ffmpegLog {
	l := &ffmpegLog{described: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		br := bufio.NewReaderSize(r, maxFFmpegLine)
		input, described := false, false
		for {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				// Keep the start of an overlong line, drop its rest.
				for err == bufio.ErrBufferFull {
					_, err = br.ReadSlice('\n')
				}
			}
			if len(line) > 0 {
				input, described = l.parse(string(line), input, described)
			}
			if err != nil {
				break
			}
		}
		if !described {
			close(l.described)
		}
	}()
	return l
}

// parse reads one stderr line; input is whether the line belongs to the
// input description, described whether it has ended.
func (l *ffmpegLog) parse(line string, input, described bool) (bool, bool) {
	// "[context @ 0x…] [level] text": the level is the bracket that
	// names one.
	var level, text string
	for rest := line; strings.HasPrefix(rest, "["); {
		tag, after, ok := strings.Cut(rest[1:], "] ")
		if !ok {
			break
		}
		if !strings.Contains(tag, " ") {
			level, text = tag, after
			break
		}
		rest = after
	}
	text = strings.TrimRight(text, "\r\n")
	switch level {
	case "error", "fatal", "panic":
		if room := maxFFmpegErrors - l.errors.Len(); room > 0 {
			if l.errors.Len() > 0 {
				l.errors.WriteString("; ")
			}
			l.errors.WriteString(text[:min(len(text), room)])
		}
		return input, described
	case "info":
	default:
		return input, described
	}
	t := strings.TrimSpace(text)
	switch {
	case described:
	case strings.HasPrefix(t, "Input #0"):
		input = true
	case strings.HasPrefix(t, "Stream mapping:") || strings.HasPrefix(t, "Output #"):
		close(l.described)
		return false, true
	case !input:
	case strings.HasPrefix(t, "Duration: "):
		var h, m int
		var s float64
		if _, err := fmt.Sscanf(t, "Duration: %d:%d:%f", &h, &m, &s); err == nil {
			l.duration = float64(h*3600+m*60) + s
		}
	case l.rate == 0 && strings.HasPrefix(t, "Stream #0:") && strings.Contains(t, ": Audio: "):
		for _, f := range strings.Split(t, ", ") {
			if hz, ok := strings.CutSuffix(f, " Hz"); ok {
				if v, err := strconv.Atoi(hz); err == nil {
					l.rate = v
				}
				break
			}
		}
	}
	return input, described
}

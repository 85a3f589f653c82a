package dsp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrNeedFFmpeg is returned (wrapped) by Open for formats only ffmpeg decodes
// (AAC/M4A, Opus, AIFF, WMA, …) when no ffmpeg binary is on PATH. It does not
// wrap ErrInvalid: the input may be fine, the machine lacks a tool.
var ErrNeedFFmpeg = errors.New("ffmpeg is required to decode this format but is not installed (apt-get install ffmpeg)")

// ffmpegLimitGrace is how far, in seconds, ffmpeg's output may run past
// Limits.MaxSeconds: the padding of the last codec frame (an AAC frame of
// 2048 samples at 8 kHz is 0.26 s).
const ffmpegLimitGrace = 0.5

// FFmpegPath is the ffmpeg binary Open runs; empty means "ffmpeg" on PATH.
var FFmpegPath = ""

// ffmpegTool decodes every format ffmpeg knows to 32-bit float WAV. It reads
// a seekable file (MP4 files often keep their index at the end, and a file
// gives it the duration that sizes Analyze's reservations) and resamples
// in its own process when asked for a rate.
//
// Debian's ffmpeg links OpenBLAS (through libavfilter), which starts a pool
// of threads when it is loaded; one thread is all a decoder needs, and the
// start costs about 8 ms less CPU (BENCHMARKS.md).
var ffmpegTool = &decodeTool{name: "ffmpeg", ffmpeg: true, seekable: true, resamples: true, args: ffmpegArgs,
	env: []string{"OPENBLAS_NUM_THREADS=1"}}

// ffmpegArgs is ffmpeg's command line decoding in to WAV on stdout; rate > 0
// resamples to rate Hz.
func ffmpegArgs(in string, rate int) []string {
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "level+info", "-i", in,
		"-map", "0:a:0", "-vn", "-sn", "-dn"}
	if rate > 0 {
		// swr's filters at half their default length: resampling 192 kHz
		// 8-channel audio to 44.1 kHz costs a third as much; the error
		// stays 50 dB under a 15 kHz tone, 100 dB under 1 kHz
		// (TestFFmpegResample).
		args = append(args, "-af", "aresample="+strconv.Itoa(rate)+":filter_size=16")
	}
	return append(args, "-c:a", "pcm_f32le", "-f", "wav", "pipe:1")
}

// toolLog reads a decoder tool's stderr. ffmpeg's (-v level+info): the first
// audio stream of the input description gives the file's rate, its Duration
// line the length; lines tagged [error], [fatal] or [panic] are kept (up to
// maxToolErrors bytes) for error messages. The other tools are run quiet, so
// every line they write is kept.
type toolLog struct {
	rate      int
	duration  float64 // seconds; 0 when ffmpeg does not know ("N/A")
	errors    bytes.Buffer
	described chan struct{} // closed once the input is described (or stderr ends)
	done      chan struct{} // closed when stderr ends
}

// maxToolErrors caps the error text kept from a tool; maxToolLine caps
// one line (metadata lines can be long; the rest of the line is dropped).
const (
	maxToolErrors = 4096
	maxToolLine   = 4096
)

// readToolLog reads r on a goroutine of its own; ffmpeg says whether r is
// ffmpeg's log (else the input is described by nothing: described is closed
// at once).
func readToolLog(r io.Reader, ffmpeg bool) *toolLog {
	l := &toolLog{described: make(chan struct{}), done: make(chan struct{})}
	if !ffmpeg {
		close(l.described)
	}
	go func() {
		defer close(l.done)
		br := bufio.NewReaderSize(r, maxToolLine)
		input, described := false, false
		for {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				// Keep the start of an overlong line, drop its rest.
				for err == bufio.ErrBufferFull {
					_, err = br.ReadSlice('\n')
				}
			}
			switch {
			case len(line) == 0:
			case ffmpeg:
				input, described = l.parse(string(line), input, described)
			default:
				l.keep(strings.TrimSpace(string(line)))
			}
			if err != nil {
				break
			}
		}
		if ffmpeg && !described {
			close(l.described)
		}
	}()
	return l
}

// parse reads one stderr line; input is whether the line belongs to the
// input description, described whether it has ended.
func (l *toolLog) parse(line string, input, described bool) (bool, bool) {
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
		l.keep(text)
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

// keep adds an error line to the message, within maxToolErrors.
func (l *toolLog) keep(text string) {
	if room := maxToolErrors - l.errors.Len(); room > 0 && text != "" {
		if l.errors.Len() > 0 {
			l.errors.WriteString("; ")
		}
		l.errors.WriteString(text[:min(len(text), room)])
	}
}

package visualizer

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// progressSink forwards progress to a callback, only when it grows, so the
// callback sees a non-decreasing sequence in [0, 1].
type progressSink struct {
	fn   func(float64)
	last float64
}

// report passes f, clamped to [0, 1], on if it exceeds what was reported.
func (p *progressSink) report(f float64) {
	f = min(max(f, 0), 1)
	if p.fn == nil || f <= p.last {
		return
	}
	p.last = f
	p.fn(f)
}

// readProgress parses ffmpeg's -progress output (key=value lines) from r
// until EOF, reporting the encoded time over duration (> 0) seconds. ffmpeg writes
// out_time_us and, despite its name, out_time_ms in microseconds too; both
// read "N/A" until the first frame is out.
func readProgress(r io.Reader, duration float64, sink *progressSink) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || (key != "out_time_us" && key != "out_time_ms") {
			continue
		}
		if us, err := strconv.ParseInt(value, 10, 64); err == nil {
			sink.report(float64(us) / 1e6 / duration)
		}
	}
	io.Copy(io.Discard, r) // after an over-long line: keep ffmpeg from blocking on the pipe
}

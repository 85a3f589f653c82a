package separate

import (
	"bytes"
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// discardStem is a stem writer that keeps nothing.
type discardStem struct{}

func (discardStem) Write(p []byte) (int, error) { return len(p), nil }
func (discardStem) Close() error                { return nil }

// cpuTime returns the CPU time this process has used (user and system).
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkSeparate4Stems separates 30 s of the synthetic 44.1 kHz stereo mix
// into 4 stems and reports the speed as a multiple of real time, by the
// clock (x_realtime) and by the CPU time used (x_realtime_cpu, which other
// jobs on a shared host do not slow down):
//
//	go test -run '^$' -bench Separate4Stems -benchmem -cpu 1 ./separate/
func BenchmarkSeparate4Stems(b *testing.B) {
	const seconds = 30
	m := synthMix(44100, seconds)
	open := func(string) (io.WriteCloser, error) { return discardStem{}, nil }
	b.SetBytes(int64(len(m.wav)))
	cpu := cpuTime(b)
	for b.Loop() {
		if err := Separate(context.Background(), bytes.NewReader(m.wav), "4stems", 0, "wav", open, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
	b.ReportMetric(seconds*float64(b.N)/(cpuTime(b)-cpu).Seconds(), "x_realtime_cpu")
}

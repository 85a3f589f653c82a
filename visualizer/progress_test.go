package visualizer

import (
	"slices"
	"strings"
	"testing"
)

func TestReadProgress(t *testing.T) {
	const out = `frame=0
out_time_us=N/A
out_time_ms=N/A
progress=continue
frame=15
out_time_us=500000
out_time_ms=500000
out_time=00:00:00.500000
progress=continue
out_time_us=400000
out_time_us=1500000
out_time_us=2100000
progress=end
`
	var got []float64
	readProgress(strings.NewReader(out), 2, &progressSink{fn: func(f float64) { got = append(got, f) }})
	if want := []float64{0.25, 0.75, 1}; !slices.Equal(got, want) {
		t.Errorf("reported %v, want %v", got, want)
	}
}

func TestProgressSinkNil(t *testing.T) {
	(&progressSink{}).report(0.5) // a nil callback is allowed
}

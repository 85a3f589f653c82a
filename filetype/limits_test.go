package filetype

import "testing"

func TestLimits(t *testing.T) {
	d := DefaultLimits()
	if d != (Limits{MIDI: 5242880, Audio: 52428800, Video: 524288000, Image: 26214400}) {
		t.Errorf("DefaultLimits = %+v", d)
	}
	l := Limits{MIDI: 1, Audio: 2, Video: 3, Image: 4}
	for k, want := range map[Kind]int64{MIDI: 1, Audio: 2, Video: 3, Image: 4, "text": 0, "": 0} {
		if got := l.Max(k); got != want {
			t.Errorf("Max(%q) = %d, want %d", k, got, want)
		}
	}
}

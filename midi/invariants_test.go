package midi

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// checkData asserts the invariants every successful parse keeps.
func checkData(t *testing.T, d *Data, lim Limits) {
	t.Helper()
	if _, err := json.Marshal(d); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if d.Tracks == nil || d.TempoChanges == nil || d.TimeSignatures == nil || d.KeySignatures == nil {
		t.Fatal("nil slice in Data")
	}
	if len(d.Tracks) == 0 || len(d.Tracks) > lim.MaxTracks || d.NoteCount() > lim.MaxNotes {
		t.Fatalf("%d tracks, %d notes", len(d.Tracks), d.NoteCount())
	}
	finite := func(what string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("%s = %v", what, v)
		}
	}
	finite("duration", d.File.Duration)
	if d.File.TicksPerQuarter <= 0 || d.FirstTempo() <= 0 {
		t.Fatalf("ticks per quarter %d, first tempo %v", d.File.TicksPerQuarter, d.FirstTempo())
	}
	for i, tr := range d.Tracks {
		if tr.ID != "track-"+strconv.Itoa(i) || tr.Notes == nil || tr.Name == "" || tr.Color == "" {
			t.Fatalf("track %d: %+v", i, tr)
		}
		var last int64
		for _, n := range tr.Notes {
			finite("start", n.StartTime)
			finite("note duration", n.Duration)
			if n.Track != i || n.Note != n.Pitch || n.Note > 127 || n.Channel > 15 || n.Velocity < 1 || n.Velocity > 127 ||
				n.Start < last || n.DurationTicks < 0 || n.StartTime+n.Duration > d.File.Duration*(1+1e-12) {
				t.Fatalf("track %d note %+v (file duration %v)", i, n, d.File.Duration)
			}
			last = n.Start
		}
	}
	for i, c := range d.TempoChanges {
		finite("tempo time", c.Time)
		if c.MicrosecondsPerQuarter <= 0 || c.BPM <= 0 || i > 0 && c.Tick < d.TempoChanges[i-1].Tick {
			t.Fatalf("tempo changes %+v", d.TempoChanges)
		}
	}
}

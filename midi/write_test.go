package midi

import (
	"bytes"
	"math"
	"os"
	"reflect"
	"testing"
)

// TestWriteRoundTrip writes a two-track file with a tempo map, signatures
// and notes and parses it back.
func TestWriteRoundTrip(t *testing.T) {
	conductor := []Event{Tempo(0, 500000), TimeSig(0, 3, 4), KeySig(0, -3, true), Tempo(960, 250000)}
	notes := []Event{TrackName(0, "bass"), Program(0, 1, 33)}
	for k := range 4 {
		tick := int64(k) * 480
		notes = append(notes, NoteOn(tick, 1, 40, 100), NoteOff(tick+480, 1, 40)) // repeated key: off sorts before the next on
	}
	var buf bytes.Buffer
	if err := Write(&buf, 480, conductor, notes); err != nil {
		t.Fatal(err)
	}
	d := parse(t, buf.Bytes())
	if d.Format != 1 || len(d.Tracks) != 2 || d.File.TicksPerQuarter != 480 {
		t.Fatalf("format %d, %d tracks, tpq %d", d.Format, len(d.Tracks), d.File.TicksPerQuarter)
	}
	if d.File.TimeSignature != [2]int{3, 4} || d.File.KeySignature != "C minor" {
		t.Fatalf("signatures %v %q", d.File.TimeSignature, d.File.KeySignature)
	}
	got := d.Tracks[1].Notes
	want := []float64{0, 0.5, 1, 1.25} // 120 BPM for two beats, then 240 BPM
	if len(got) != len(want) || d.Tracks[1].Name != "bass" || d.Tracks[1].Instrument != "Program 33" {
		t.Fatalf("track %+v", d.Tracks[1])
	}
	for i, n := range got {
		if math.Abs(n.StartTime-want[i]) > 1e-9 || n.DurationTicks != 480 || n.Velocity != 100 {
			t.Fatalf("note %d: %+v, want start %v", i, n, want[i])
		}
	}
}

// TestWriteRejects checks the writer's input errors.
func TestWriteRejects(t *testing.T) {
	var buf bytes.Buffer
	if Write(&buf, 0, []Event{NoteOn(0, 0, 60, 1)}) == nil {
		t.Fatal("division 0 accepted")
	}
	if Write(&buf, 480) == nil {
		t.Fatal("no tracks accepted")
	}
	if Write(&buf, 480, []Event{NoteOn(-1, 0, 60, 1)}) == nil {
		t.Fatal("negative tick accepted")
	}
}

// TestVLQ checks the variable-length encoding against the test builder's.
func TestVLQ(t *testing.T) {
	for _, v := range []uint32{0, 1, 127, 128, 8191, 16384, 0x0FFFFFFF} {
		if got := appendVLQ(nil, v); !bytes.Equal(got, vlq(v)) {
			t.Fatalf("vlq(%d) = %x, want %x", v, got, vlq(v))
		}
	}
}

// TestSeconds checks tick conversion on the tempo map against note times.
func TestSeconds(t *testing.T) {
	var buf bytes.Buffer
	conductor := []Event{Tempo(0, 600000), Tempo(480, 300000)}
	if err := Write(&buf, 480, conductor, []Event{NoteOn(960, 0, 60, 90), NoteOff(1000, 0, 60)}); err != nil {
		t.Fatal(err)
	}
	d := parse(t, buf.Bytes())
	for _, c := range []struct {
		tick int64
		want float64
	}{{0, 0}, {240, 0.3}, {480, 0.6}, {960, 0.9}, {-5, 0}} {
		if got := d.Seconds(c.tick); math.Abs(got-c.want) > 1e-12 {
			t.Fatalf("Seconds(%d) = %v, want %v", c.tick, got, c.want)
		}
	}
	if got := d.Seconds(960); got != d.Tracks[1].Notes[0].StartTime {
		t.Fatalf("Seconds(960) = %v, note starts at %v", got, d.Tracks[1].Notes[0].StartTime)
	}
}

// TestParseEventsRewrite rewrites every real sample file from its events
// and checks that the rewrite parses to the same notes and tempo map.
func TestParseEventsRewrite(t *testing.T) {
	for _, path := range sampleFiles(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, events, err := ParseEvents(bytes.NewReader(b), path, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(d.Tracks) {
			t.Fatalf("%s: %d event tracks, %d tracks", path, len(events), len(d.Tracks))
		}
		var buf bytes.Buffer
		if err := Write(&buf, d.File.TicksPerQuarter, events...); err != nil {
			t.Fatal(err)
		}
		d2 := parse(t, buf.Bytes())
		if !reflect.DeepEqual(d.TempoChanges, d2.TempoChanges) || !reflect.DeepEqual(d.TimeSignatures, d2.TimeSignatures) {
			t.Fatalf("%s: tempo map or time signatures differ after the rewrite", path)
		}
		for i := range d.Tracks {
			if !reflect.DeepEqual(d.Tracks[i].Notes, d2.Tracks[i].Notes) {
				t.Fatalf("%s: track %d notes differ after the rewrite", path, i)
			}
		}
	}
}

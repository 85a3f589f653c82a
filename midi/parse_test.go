package midi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const tpq = 480

// near asserts |got-want| ≤ 1e-9.
func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("%s = %.12g, want %.12g", what, got, want)
	}
}

func TestFormat0SingleTempo(t *testing.T) {
	tr := (&trk{}).name(0, "Lead").tempo(0, 500000).program(0, 2, 5).
		on(960, 2, 61, 100).off(480, 2, 61, 64).end(0)
	d := parse(t, smf(0, tpq, tr))
	if d.Format != 0 || d.File.Name != "test.mid" || d.File.Size != int64(len(smf(0, tpq, tr))) || d.File.TicksPerQuarter != tpq {
		t.Fatalf("file %+v, format %d", d.File, d.Format)
	}
	near(t, "file duration", d.File.Duration, 1.5)
	want := Track{ID: "track-0", Name: "Lead", Instrument: "Program 5", Channel: 2, Color: "#84a98c", Notes: []Note{{
		ID: "0-0", Track: 0, Channel: 2, Note: 61, Pitch: 61, Name: "C#4", Velocity: 100,
		StartTime: 1, Start: 960, Duration: 0.5, DurationTicks: 480,
	}}}
	if !reflect.DeepEqual(d.Tracks, []Track{want}) {
		t.Fatalf("tracks %+v\nwant %+v", d.Tracks, want)
	}
	if !reflect.DeepEqual(d.TempoChanges, []TempoChange{{Tick: 0, Time: 0, BPM: 120, MicrosecondsPerQuarter: 500000}}) {
		t.Fatalf("tempo changes %+v", d.TempoChanges)
	}
	if d.File.TimeSignature != [2]int{4, 4} || d.File.KeySignature != "C major" || d.NoteCount() != 1 || d.FirstTempo() != 120 {
		t.Fatalf("defaults: %+v, %d notes, %v BPM", d.File, d.NoteCount(), d.FirstTempo())
	}
}

func TestJSONShape(t *testing.T) {
	d := parse(t, smf(1, tpq, (&trk{}).timeSig(0, 3, 2).keySig(0, 0, 0).tempo(0, 400000).end(0),
		(&trk{}).on(0, 0, 60, 1).off(1, 0, 60, 0).end(0)))
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	tracks := m["tracks"].([]any)
	for what, c := range map[string]struct {
		v    any
		want string
	}{
		"data":          {m, "file format keySignatures tempoChanges timeSignatures tracks"},
		"file":          {m["file"], "duration keySignature name size ticksPerQuarter timeSignature"},
		"track":         {tracks[1], "channel color id instrument name notes"},
		"note":          {tracks[1].(map[string]any)["notes"].([]any)[0], "channel duration durationTicks id name note pitch startTime start track velocity"},
		"tempo":         {m["tempoChanges"].([]any)[0], "bpm microsecondsPerQuarter tick time"},
		"timeSignature": {m["timeSignatures"].([]any)[0], "denominator numerator tick time"},
		"keySignature":  {m["keySignatures"].([]any)[0], "key minor sharps tick time"},
	} {
		want := strings.Fields(c.want)
		slices.Sort(want)
		if got := keys(c.v); !slices.Equal(got, want) {
			t.Errorf("%s keys %v, want %v", what, got, want)
		}
	}
	if tn := tracks[0].(map[string]any)["notes"]; tn == nil || len(tn.([]any)) != 0 {
		t.Errorf("empty track notes encode as %v, want []", tn)
	}
	empty, _ := json.Marshal(parse(t, smf(0, tpq, (&trk{}).end(0))))
	if !bytes.Contains(empty, []byte(`"tempoChanges":[],"timeSignatures":[],"keySignatures":[]`)) {
		t.Errorf("empty lists encode as %s", empty)
	}
}

func TestTempoMap(t *testing.T) {
	// 120 BPM until tick 1920 (4 quarters = 2 s), then 60 BPM (1 s a quarter).
	conductor := (&trk{}).tempo(0, 500000).tempo(1920, 1000000).end(0)
	notes := &trk{}
	notes.on(1440, 0, 60, 90).off(960, 0, 60, 0) // 1440..2400, across the change
	notes.on(0, 0, 64, 90).off(240, 0, 64, 0)    // 2400..2640
	notes.end(0)
	d := parse(t, smf(1, tpq, conductor, notes))
	n := d.Tracks[1].Notes
	near(t, "start across", n[0].StartTime, 1.5)
	near(t, "duration across", n[0].Duration, 0.5+1.0)
	near(t, "start after", n[1].StartTime, 3.0) // 2 s + 480 ticks at 1 s a quarter
	near(t, "duration after", n[1].Duration, 0.5)
	near(t, "file duration", d.File.Duration, 3.5)
	if len(d.TempoChanges) != 2 || d.TempoChanges[1] != (TempoChange{Tick: 1920, Time: 2, BPM: 60, MicrosecondsPerQuarter: 1000000}) {
		t.Fatalf("tempo changes %+v", d.TempoChanges)
	}
	if d.Tracks[0].Name != "Track 1" || d.Tracks[0].Notes == nil || len(d.Tracks[0].Notes) != 0 || d.Tracks[0].Channel != 0 {
		t.Fatalf("conductor track %+v", d.Tracks[0])
	}
}

func TestTempoInLaterTrack(t *testing.T) {
	// Notes in track 1, tempo events (90 BPM from tick 0, 180 BPM from tick
	// 960) in track 2, with an interleaved repeat of the track-1 event.
	notes := (&trk{}).on(480, 3, 72, 50).off(960, 3, 72, 0).on(480, 3, 74, 50).end(0)
	tempo := (&trk{}).tempo(0, 666667).tempo(960, 333333).end(0)
	d := parse(t, smf(1, tpq, (&trk{}).end(0), notes, tempo))
	q1, q2 := 0.666667, 0.333333 // seconds per quarter
	n := d.Tracks[1].Notes
	near(t, "first start", n[0].StartTime, q1)
	near(t, "first duration", n[0].Duration, q1+q2)
	near(t, "second start", n[1].StartTime, 2*q1+2*q2)
	near(t, "unmatched duration", n[1].Duration, 0)
	near(t, "FirstTempo", d.FirstTempo(), 60e6/666667)
	near(t, "tempo change time", d.TempoChanges[1].Time, 2*q1)
}

func TestRunningStatus(t *testing.T) {
	tr := &trk{}
	tr.ev(0, 0x91, 60, 100).ev(10, 64, 90) // running note-on
	tr.meta(0, 0x01, 'x')                  // a meta event keeps running status
	tr.ev(10, 60, 0).ev(0, 64, 0)          // note-on velocity 0 ends
	tr.ev(0, 0xB1, 7, 100).ev(5, 10, 64)   // running control changes are ignored
	tr.end(0)
	d := parse(t, smf(0, tpq, tr))
	n := d.Tracks[0].Notes
	if len(n) != 2 || n[0].Note != 60 || n[0].DurationTicks != 20 || n[1].Note != 64 || n[1].Start != 10 || n[1].DurationTicks != 10 || n[1].Channel != 1 {
		t.Fatalf("notes %+v", n)
	}
}

func TestOverlappingSameKeyFIFO(t *testing.T) {
	tr := (&trk{}).on(0, 0, 60, 10).on(100, 0, 60, 20).
		on(0, 1, 60, 30).                                       // another channel: its own queue
		off(100, 0, 60, 0).off(100, 0, 60, 0).off(0, 0, 60, 0). // the third off matches nothing
		off(50, 1, 60, 0).end(0)
	n := parse(t, smf(0, tpq, tr)).Tracks[0].Notes
	got := [][3]int64{}
	for _, x := range n {
		got = append(got, [3]int64{int64(x.Velocity), x.Start, x.Start + x.DurationTicks})
	}
	want := [][3]int64{{10, 0, 200}, {20, 100, 300}, {30, 100, 350}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("notes (velocity, start, end) %v, want %v", got, want)
	}
}

func TestUnmatchedNotesEndAtTrackEnd(t *testing.T) {
	// Closed by the end-of-track event (tick 960) and, without one, by the
	// last event (tick 700). A zero-length note is kept.
	withEOT := (&trk{}).on(0, 0, 60, 80).on(100, 0, 62, 80).off(0, 0, 62, 0).end(860)
	noEOT := (&trk{}).on(200, 5, 40, 80).ev(500, 0xB5, 1, 2)
	d := parse(t, smf(1, tpq, withEOT, noEOT))
	a, b := d.Tracks[0].Notes, d.Tracks[1].Notes
	if len(a) != 2 || a[0].DurationTicks != 960 || a[1].DurationTicks != 0 || a[1].Duration != 0 {
		t.Fatalf("track 0 notes %+v", a)
	}
	if len(b) != 1 || b[0].DurationTicks != 500 || d.Tracks[1].Channel != 5 {
		t.Fatalf("track 1 %+v", d.Tracks[1])
	}
	near(t, "file duration", d.File.Duration, 2.0*0.5)
}

func TestSignatures(t *testing.T) {
	conductor := (&trk{}).timeSig(0, 6, 3).keySig(0, 6, 0).
		timeSig(1920, 3, 2).keySig(0, -6, 1).keySig(480, 2, 0).keySig(0, -3, 1).keySig(0, 0, 1).keySig(0, -7, 0).end(0)
	repeat := (&trk{}).timeSig(0, 6, 3).end(0) // format 1 files repeat signatures per track
	d := parse(t, smf(1, tpq, conductor, repeat))
	if d.File.TimeSignature != [2]int{6, 8} || d.File.KeySignature != "F# major" {
		t.Fatalf("file %+v", d.File)
	}
	wantTS := []TimeSignature{{0, 0, 6, 8}, {1920, 2, 3, 4}}
	if !reflect.DeepEqual(d.TimeSignatures, wantTS) {
		t.Fatalf("time signatures %+v", d.TimeSignatures)
	}
	var keys []string
	for _, k := range d.KeySignatures {
		keys = append(keys, k.Key)
	}
	if want := []string{"F# major", "Eb minor", "D major", "C minor", "A minor", "Cb major"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if k := d.KeySignatures[1]; k != (KeySignature{Tick: 1920, Time: 2, Key: "Eb minor", Sharps: -6, Minor: true}) {
		t.Fatalf("key %+v", k)
	}
}

func TestSMPTEDivision(t *testing.T) {
	// 25 fps × 40 ticks per frame = 1000 ticks a second; tempo is ignored.
	tr := (&trk{}).tempo(0, 1000000).on(1500, 0, 60, 1).off(250, 0, 60, 0).end(0)
	d := parse(t, smf(0, uint16(0xE7)<<8|40, tr))
	n := d.Tracks[0].Notes[0]
	near(t, "start", n.StartTime, 1.5)
	near(t, "duration", n.Duration, 0.25)
	if d.File.TicksPerQuarter != 500 {
		t.Fatalf("ticks per quarter %d, want the 120 BPM equivalent 500", d.File.TicksPerQuarter)
	}
	// 29.97 drop-frame × 100 ticks per frame.
	d = parse(t, smf(0, uint16(0xE3)<<8|100, (&trk{}).on(2997, 0, 60, 1).end(0)))
	near(t, "29.97 fps start", d.Tracks[0].Notes[0].StartTime, 2997/(30000.0/1001*100))
}

func TestSysexSkipped(t *testing.T) {
	tr := &trk{}
	tr.ev(0, 0xF0, 5, 0x7E, 0x7F, 0x09, 0x01, 0xF7) // GM reset
	tr.ev(10, 0xF7, 2, 0xF3, 0x01)                  // escape sequence
	tr.on(10, 0, 60, 64).ev(0, 0xF0, 1, 0xF7).ev(10, 0x80, 60, 0).end(0)
	n := parse(t, smf(0, tpq, tr)).Tracks[0].Notes
	if len(n) != 1 || n[0].Start != 20 || n[0].DurationTicks != 10 {
		t.Fatalf("notes %+v", n)
	}
	// Sysex cancels running status.
	parseErr(t, smf(0, tpq, (&trk{}).on(0, 0, 60, 1).ev(0, 0xF0, 1, 0xF7).ev(0, 60, 0)), Limits{}, "without running status")
}

func TestFormat2SeparateTimelines(t *testing.T) {
	a := (&trk{}).tempo(0, 1000000).on(480, 0, 60, 1).end(480)
	b := (&trk{}).on(480, 0, 60, 1).end(0)
	d := parse(t, smf(2, tpq, a, b))
	near(t, "own tempo", d.Tracks[0].Notes[0].StartTime, 1)
	near(t, "default tempo", d.Tracks[1].Notes[0].StartTime, 0.5)
	near(t, "longest timeline", d.File.Duration, 2)
}

func TestLenientStructure(t *testing.T) {
	// Header longer than 6 bytes, ntracks 5 for 2 tracks, an unknown chunk,
	// trailing junk, Latin-1 and instrument-name track names.
	h := chunk("MThd", []byte{0, 1, 0, 5, 0x01, 0xE0, 0xAA, 0xBB})
	b := append(h, chunk("MTrk", (&trk{}).name(0, "Fl\xfbte\x00").end(0).b)...)
	b = append(b, chunk("XFIH", []byte{1, 2, 3})...)
	b = append(b, chunk("MTrk", (&trk{}).meta(0, 0x04, []byte(" Cello ")...).on(0, 9, 36, 1).end(0).b)...)
	b = append(b, "JUNK\x00\x00\x01\x00 trailing data, not a whole chunk"...)
	d := parse(t, b)
	if len(d.Tracks) != 2 || d.Tracks[0].Name != "Flûte" || d.Tracks[1].Name != "Cello" || d.Tracks[1].Channel != 9 || d.Tracks[1].Color != "#6b7c93" {
		t.Fatalf("tracks %+v", d.Tracks)
	}
	// Data after the end-of-track event is ignored.
	d = parse(t, smf(0, tpq, (&trk{}).end(0).ev(0, 0x42)))
	if len(d.Tracks) != 1 {
		t.Fatalf("tracks %+v", d.Tracks)
	}
}

func TestNoteNames(t *testing.T) {
	for n, want := range map[int]string{0: "C-1", 21: "A0", 60: "C4", 61: "C#4", 69: "A4", 127: "G9"} {
		if got := noteNames[n]; got != want {
			t.Errorf("noteNames[%d] = %q, want %q", n, got, want)
		}
	}
}

func TestMalformed(t *testing.T) {
	ok := (&trk{}).on(0, 0, 60, 1).end(0)
	endless := &trk{b: []byte{0, 0x90, 60, 1}}
	for range 2000 {
		endless.b = append(endless.b, 0, 60, 1)
	}
	long := bytes.Repeat([]byte{0x80}, 8)
	for _, c := range []struct {
		name string
		file []byte
		lim  Limits
		want string
	}{
		{"empty", nil, Limits{}, "no MThd header"},
		{"not MIDI", []byte("RIFF\x00\x00\x00\x00WAVEfmt "), Limits{}, "no MThd header"},
		{"short header length", append(chunk("MThd", []byte{0, 0, 0, 1, 0}), chunk("MTrk", ok.b)...), Limits{}, "header length 5 shorter than 6"},
		{"truncated header", []byte("MThd\x00\x00\x00\x06\x00\x00"), Limits{}, "truncated header"},
		{"format 3", smf(3, tpq, ok), Limits{}, "unsupported format 3"},
		{"zero division", smf(0, 0, ok), Limits{}, "0 ticks per quarter"},
		{"SMPTE rate", smf(0, 0xE1<<8|4, ok), Limits{}, "unsupported SMPTE rate of 31 frames"},
		{"SMPTE zero ticks", smf(0, 0xE8<<8, ok), Limits{}, "0 ticks per frame"},
		{"no tracks", mthd(0, 1, tpq), Limits{}, "no MTrk"},
		{"truncated track", smf(0, tpq, ok)[:len(smf(0, tpq, ok))-1], Limits{}, "truncated track 0"},
		{"truncated track after junk", append(smf(0, tpq, ok), "MTrk\x00\x00\x00\x09\x00\x90"...), Limits{}, "truncated track 1"},
		{"VLQ too long", smf(0, tpq, &trk{b: append(long, 0x00, 0x90, 60, 1)}), Limits{}, "longer than 4 bytes"},
		{"VLQ truncated", smf(0, tpq, &trk{b: []byte{0x81}}), Limits{}, "truncated variable-length"},
		{"meta length", smf(0, tpq, &trk{b: []byte{0, 0xFF, 0x03, 10, 'a'}}), Limits{}, "meta event length 10 beyond"},
		{"meta length VLQ", smf(0, tpq, &trk{b: append([]byte{0, 0xFF, 0x03}, long...)}), Limits{}, "longer than 4 bytes"},
		{"meta type missing", smf(0, tpq, &trk{b: []byte{0, 0xFF}}), Limits{}, "truncated meta event"},
		{"sysex length", smf(0, tpq, &trk{b: []byte{0, 0xF0, 0xFF, 0xFF, 0xFF, 0x7F, 1}}), Limits{}, "sysex length 268435455 beyond"},
		{"data byte without status", smf(0, tpq, &trk{b: []byte{0, 60, 1}}), Limits{}, "data byte 0x3C without running status"},
		{"status in data", smf(0, tpq, &trk{b: []byte{0, 0x90, 60, 0x90}}), Limits{}, "status byte 0x90 inside a channel message"},
		{"truncated message", smf(0, tpq, &trk{b: []byte{0, 0x90, 60}}), Limits{}, "truncated channel message"},
		{"delta without event", smf(0, tpq, &trk{b: []byte{0}}), Limits{}, "truncated event"},
		{"system real-time", smf(0, tpq, &trk{b: []byte{0, 0xF8}}), Limits{}, "system message status byte 0xF8"},
		{"zero tempo", smf(0, tpq, (&trk{}).tempo(0, 0)), Limits{}, "tempo of 0"},
		{"short tempo", smf(0, tpq, (&trk{}).meta(0, 0x51, 1, 2)), Limits{}, "tempo event with 2 data bytes"},
		{"short time signature", smf(0, tpq, (&trk{}).meta(0, 0x58, 4)), Limits{}, "time signature event with 1"},
		{"zero numerator", smf(0, tpq, (&trk{}).timeSig(0, 0, 2)), Limits{}, "time signature 0/2^2"},
		{"huge denominator", smf(0, tpq, (&trk{}).timeSig(0, 4, 31)), Limits{}, "out of range"},
		{"short key signature", smf(0, tpq, (&trk{}).meta(0, 0x59, 1)), Limits{}, "key signature event with 1"},
		{"key out of range", smf(0, tpq, (&trk{}).keySig(0, 8, 0)), Limits{}, "key signature (8, 0) out of range"},
		{"key mode", smf(0, tpq, (&trk{}).keySig(0, 1, 2)), Limits{}, "key signature (1, 2) out of range"},
		{"too many events", smf(0, tpq, endless), Limits{MaxEvents: 1000}, "too many events (more than 1000)"},
		{"too many notes", smf(0, tpq, endless), Limits{MaxNotes: 10}, "too many notes (more than 10)"},
		{"too many tracks", smf(1, tpq, ok, ok, ok), Limits{MaxTracks: 2}, "too many tracks (more than 2)"},
		{"too large", smf(0, tpq, endless), Limits{MaxBytes: 100}, "file too large (more than 100 bytes)"},
	} {
		t.Run(c.name, func(t *testing.T) { parseErr(t, c.file, c.lim, c.want) })
	}
}

func TestErrorNamesTrack(t *testing.T) {
	_, err := Parse(bytes.NewReader(smf(1, tpq, (&trk{}).end(0), &trk{b: []byte{0, 0xF9}})), "x.mid", Limits{})
	if want := "invalid MIDI file: track 1: system message"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v, want prefix %q", err, want)
	}
}

// failingReader fails after its data.
type failingReader struct{ data []byte }

var errStorage = errors.New("storage hiccup")

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errStorage
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadErrorIsNotInvalid(t *testing.T) {
	_, err := Parse(&failingReader{data: smf(0, tpq, (&trk{}).end(0))}, "x.mid", Limits{})
	if !errors.Is(err, errStorage) || errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v: want the reader's error, not ErrInvalid", err)
	}
}

func TestExactSizeLimit(t *testing.T) {
	b := smf(0, tpq, (&trk{}).end(0))
	if _, err := Parse(bytes.NewReader(b), "x.mid", Limits{MaxBytes: int64(len(b))}); err != nil {
		t.Fatal(err)
	}
}

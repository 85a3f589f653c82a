package midi

import (
	"cmp"
	"slices"
	"strconv"
)

// build converts the decoded tracks into the output shape.
func build(name string, size int64, format int, div division, tracks []rawTrack) *Data {
	// maps[i] is the timeline of track i: one shared map, except in format 2
	// (a track's own tempo events are already in tick order).
	maps := make([]*tempoMap, len(tracks))
	if format == 2 {
		for i := range tracks {
			maps[i] = newTempoMap(div, tracks[i].tempos)
		}
	} else {
		shared := newTempoMap(div, sortedTempos(tracks))
		for i := range maps {
			maps[i] = shared
		}
	}
	var tempos, timeSigs, keySigs int
	for _, t := range tracks {
		tempos, timeSigs, keySigs = tempos+len(t.tempos), timeSigs+len(t.timeSigs), keySigs+len(t.keySigs)
	}
	d := &Data{
		File: FileInfo{Name: name, Size: size, TicksPerQuarter: div.ticksPerQuarter,
			TimeSignature: [2]int{4, 4}, KeySignature: keyName(0, false)},
		Tracks:         make([]Track, len(tracks)),
		TempoChanges:   make([]TempoChange, 0, tempos),
		TimeSignatures: make([]TimeSignature, 0, timeSigs),
		KeySignatures:  make([]KeySignature, 0, keySigs),
		Format:         format,
		timeline:       newTempoMap(div, nil),
	}
	if len(maps) > 0 {
		d.timeline = maps[0]
	}
	for i, t := range tracks {
		m := maps[i]
		d.Tracks[i] = track(i, t, m)
		d.File.Duration = max(d.File.Duration, m.seconds(t.end))
		for _, e := range t.tempos {
			d.TempoChanges = append(d.TempoChanges, TempoChange{Tick: e.tick, Time: m.seconds(e.tick),
				BPM: 60e6 / float64(e.uspq), MicrosecondsPerQuarter: e.uspq})
		}
		for _, e := range t.timeSigs {
			d.TimeSignatures = append(d.TimeSignatures, TimeSignature{Tick: e.tick, Time: m.seconds(e.tick),
				Numerator: e.num, Denominator: e.den})
		}
		for _, e := range t.keySigs {
			d.KeySignatures = append(d.KeySignatures, KeySignature{Tick: e.tick, Time: m.seconds(e.tick),
				Key: keyName(e.sharps, e.minor), Sharps: e.sharps, Minor: e.minor})
		}
	}
	d.TempoChanges = byTick(d.TempoChanges, func(e TempoChange) int64 { return e.Tick })
	d.TimeSignatures = byTick(d.TimeSignatures, func(e TimeSignature) int64 { return e.Tick })
	d.KeySignatures = byTick(d.KeySignatures, func(e KeySignature) int64 { return e.Tick })
	if len(d.TimeSignatures) > 0 {
		d.File.TimeSignature = [2]int{d.TimeSignatures[0].Numerator, d.TimeSignatures[0].Denominator}
	}
	if len(d.KeySignatures) > 0 {
		d.File.KeySignature = d.KeySignatures[0].Key
	}
	return d
}

// track converts track i.
func track(i int, t rawTrack, m *tempoMap) Track {
	out := Track{
		ID:    "track-" + strconv.Itoa(i),
		Name:  t.name,
		Notes: make([]Note, len(t.notes)), // one per decoded note, bounded by Limits.MaxNotes
		Color: trackColors[i%len(trackColors)],
	}
	if out.Name == "" {
		out.Name = t.instrumentName
	}
	if out.Name == "" {
		out.Name = "Track " + strconv.Itoa(i+1)
	}
	if t.program >= 0 {
		out.Instrument = "Program " + strconv.Itoa(t.program)
	}
	if len(t.notes) > 0 {
		out.Channel = int(t.notes[0].channel)
	}
	ids := noteIDs(i, len(t.notes))
	for j, n := range t.notes {
		start, end := m.seconds(n.start), m.seconds(n.end)
		out.Notes[j] = Note{
			ID: ids[j], Track: i, Channel: int(n.channel),
			Note: int(n.key), Pitch: int(n.key), Name: noteNames[n.key], Velocity: int(n.velocity),
			StartTime: start, Start: n.start, Duration: end - start, DurationTicks: n.end - n.start,
		}
	}
	return out
}

// noteIDs returns the IDs "<track>-<j>" of n notes of a track, slicing one
// string instead of allocating one per note.
func noteIDs(track, n int) []string {
	var buf []byte
	ends := make([]int, n)
	for j := range n {
		buf = strconv.AppendInt(buf, int64(track), 10)
		buf = append(buf, '-')
		buf = strconv.AppendInt(buf, int64(j), 10)
		ends[j] = len(buf)
	}
	all := string(buf)
	ids := make([]string, n)
	start := 0
	for j, end := range ends {
		ids[j], start = all[start:end], end
	}
	return ids
}

// byTick sorts events by tick, keeping file order within a tick, and drops
// exact repeats (format 1 files often repeat signatures in every track).
func byTick[E comparable](events []E, tick func(E) int64) []E {
	slices.SortStableFunc(events, func(a, b E) int { return cmp.Compare(tick(a), tick(b)) })
	return slices.Compact(events)
}

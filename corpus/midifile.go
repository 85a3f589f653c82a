package corpus

import (
	"bytes"
	"slices"

	"phonoglyph/midi"
)

// conductor returns the tempo, time and key signature track.
func (s *song) conductor() []midi.Event {
	ev := []midi.Event{midi.TrackName(0, s.spec.ID), midi.TimeSig(0, s.meter.Num, s.meter.Den),
		midi.KeySig(0, s.spec.Key.sharps(), s.spec.Key.Minor)}
	for _, p := range s.tempo {
		ev = append(ev, midi.Tempo(p.tick, p.uspq))
	}
	return ev
}

// events returns one voice's track.
func (v *voice) events() []midi.Event {
	ev := []midi.Event{midi.TrackName(0, v.stem+":"+v.name), midi.Control(0, v.ch, 7, v.volume), midi.Control(0, v.ch, 10, v.pan)}
	if v.ch != 9 {
		ev = append(ev, midi.Program(0, v.ch, v.program))
	}
	for _, n := range v.notes {
		ev = append(ev, midi.NoteOn(n.tick, v.ch, n.key, n.vel), midi.NoteOff(n.tick+max(1, n.dur), v.ch, n.key))
	}
	return ev
}

// midiFile writes the song's MIDI with the voices of the given stems (all
// voices when stems is empty). Every file has the same conductor track, so
// stems rendered separately line up sample for sample.
func (s *song) midiFile(stems ...string) ([]byte, error) {
	tracks := [][]midi.Event{s.conductor()}
	for i := range s.voices {
		v := &s.voices[i]
		if len(stems) > 0 && !slices.Contains(stems, v.stem) || len(v.notes) == 0 {
			continue
		}
		tracks = append(tracks, v.events())
	}
	var buf bytes.Buffer
	err := midi.Write(&buf, tpq, tracks...)
	return buf.Bytes(), err
}

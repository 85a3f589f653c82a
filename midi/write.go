package midi

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Event is one event to write: a channel message or a meta event at an
// absolute tick. Build events with the constructors below.
type Event struct {
	Tick int64  // absolute, ≥ 0
	Data []byte // the event bytes after the delta time
}

// NoteOn returns a note-on of key at velocity vel (1-127) on channel ch.
func NoteOn(tick int64, ch, key, vel uint8) Event {
	return Event{tick, []byte{0x90 | ch&0x0F, key & 0x7F, vel & 0x7F}}
}

// NoteOff returns a note-off of key on channel ch.
func NoteOff(tick int64, ch, key uint8) Event {
	return Event{tick, []byte{0x80 | ch&0x0F, key & 0x7F, 64}}
}

// Program returns a program change on channel ch.
func Program(tick int64, ch, program uint8) Event {
	return Event{tick, []byte{0xC0 | ch&0x0F, program & 0x7F}}
}

// Control returns a control change of controller cc to value v on channel ch.
func Control(tick int64, ch, cc, v uint8) Event {
	return Event{tick, []byte{0xB0 | ch&0x0F, cc & 0x7F, v & 0x7F}}
}

// Tempo returns a set-tempo meta event of uspq microseconds per quarter note.
func Tempo(tick int64, uspq int) Event {
	return metaEvent(tick, metaTempo, byte(uspq>>16), byte(uspq>>8), byte(uspq))
}

// TimeSig returns a time signature meta event num/den (den a power of two).
func TimeSig(tick int64, num, den int) Event {
	pow := 0
	for d := den; d > 1; d >>= 1 {
		pow++
	}
	return metaEvent(tick, metaTimeSig, byte(num), byte(pow), 24, 8)
}

// KeySig returns a key signature meta event (sharps -7..7, minor or major).
func KeySig(tick int64, sharps int, minor bool) Event {
	m := byte(0)
	if minor {
		m = 1
	}
	return metaEvent(tick, metaKeySig, byte(int8(sharps)), m)
}

// TrackName returns a track name meta event.
func TrackName(tick int64, name string) Event {
	return metaEvent(tick, metaTrackName, []byte(name)...)
}

func metaEvent(tick int64, typ byte, body ...byte) Event {
	return Event{tick, append(append([]byte{0xFF, typ}, appendVLQ(nil, uint32(len(body)))...), body...)}
}

// order ranks events at one tick: meta events, then program and control
// changes, then note-offs, then note-ons, so a repeated note is released
// before it is struck again.
func (e Event) order() int {
	switch s := e.Data[0]; {
	case s == 0xFF:
		return 0
	case s&0xF0 == 0x80, s&0xF0 == 0x90 && e.Data[2] == 0:
		return 2
	case s&0xF0 == 0x90:
		return 3
	default:
		return 1
	}
}

// Write writes a Standard MIDI File of format 1 (format 0 for one track)
// with the given metrical division. Each track's events are sorted by tick
// (stably, in the order described on Event.order); an end-of-track event is
// appended. Write is the inverse of Parse for what these events express.
func Write(w io.Writer, ticksPerQuarter int, tracks ...[]Event) error {
	if ticksPerQuarter <= 0 || ticksPerQuarter > 0x7FFF {
		return fmt.Errorf("midi: ticks per quarter %d out of 1..32767", ticksPerQuarter)
	}
	if len(tracks) == 0 || len(tracks) > 0xFFFF {
		return fmt.Errorf("midi: %d tracks; 1..65535 can be written", len(tracks))
	}
	format := uint16(1)
	if len(tracks) == 1 {
		format = 0
	}
	bw := bufio.NewWriter(w)
	hdr := make([]byte, 6)
	binary.BigEndian.PutUint16(hdr[0:], format)
	binary.BigEndian.PutUint16(hdr[2:], uint16(len(tracks)))
	binary.BigEndian.PutUint16(hdr[4:], uint16(ticksPerQuarter))
	writeChunk(bw, "MThd", hdr)
	for i, events := range tracks {
		body, err := trackBody(events)
		if err != nil {
			return fmt.Errorf("midi: track %d: %w", i, err)
		}
		writeChunk(bw, "MTrk", body)
	}
	return bw.Flush()
}

// trackBody encodes one track's events with delta times.
func trackBody(events []Event) ([]byte, error) {
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.Tick, b.Tick), cmp.Compare(a.order(), b.order()))
	})
	var body []byte
	var last int64
	for _, e := range sorted {
		if e.Tick < 0 || len(e.Data) == 0 {
			return nil, errors.New("event with a negative tick or no data")
		}
		if e.Tick-last > 0x0FFFFFFF {
			return nil, fmt.Errorf("delta of %d ticks is too long for a MIDI file", e.Tick-last)
		}
		body = appendVLQ(body, uint32(e.Tick-last))
		body = append(body, e.Data...)
		last = e.Tick
	}
	return append(body, 0x00, 0xFF, metaEndOfTrack, 0x00), nil
}

// writeChunk writes a chunk header and body; bufio keeps the first error
// and Flush returns it.
func writeChunk(w *bufio.Writer, typ string, body []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(body)))
	w.WriteString(typ)
	w.Write(n[:])
	w.Write(body)
}

// appendVLQ appends v as a variable-length quantity (v < 2^28).
func appendVLQ(b []byte, v uint32) []byte {
	var tmp [4]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7F)
	for v >>= 7; v > 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7F) | 0x80
	}
	return append(b, tmp[i:]...)
}

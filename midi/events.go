package midi

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Meta event types the parser uses; all others are skipped by length.
const (
	metaTrackName  = 0x03
	metaInstrument = 0x04
	metaEndOfTrack = 0x2F
	metaTempo      = 0x51
	metaTimeSig    = 0x58
	metaKeySig     = 0x59
)

// rawNote is a note on the tick axis; end is -1 while the note is open.
type rawNote struct {
	channel, key, velocity uint8
	start, end             int64
}

// tempoEvent is a set-tempo meta event at an absolute tick.
type tempoEvent struct {
	tick int64
	uspq int // microseconds per quarter note, > 0
}

// timeSigEvent is a time signature meta event at an absolute tick.
type timeSigEvent struct {
	tick     int64
	num, den int
}

// keySigEvent is a key signature meta event at an absolute tick.
type keySigEvent struct {
	tick   int64
	sharps int
	minor  bool
}

// rawTrack is what one MTrk chunk holds, on its tick axis.
type rawTrack struct {
	name, instrumentName string
	program              int // first program change, -1 when none
	notes                []rawNote
	tempos               []tempoEvent
	timeSigs             []timeSigEvent
	keySigs              []keySigEvent
	end                  int64   // tick of the last event (end of track)
	events               []Event // every event but end of track, when the decoder keeps them
}

// decoder decodes tracks, counting events and notes across the whole file.
type decoder struct {
	lim    Limits
	keep   bool // keep every event in rawTrack.events (ParseEvents)
	events int
	notes  int
	// open holds, per channel<<7|key, the indexes of the open notes of the
	// current track, oldest first; emptied after each track.
	open [16 * 128][]int
}

// track decodes the events of one MTrk chunk body. Its errors (and those of
// the helpers below) are plain reasons: parseBytes wraps them in ErrInvalid
// with the track index.
//
// Running status applies to channel messages and survives meta events (as in
// common practice); sysex events cancel it, as the SMF specification says.
// System common and real-time status bytes (0xF1-0xF6, 0xF8-0xFE) are not
// valid SMF events and carry no length, so they are rejected (ErrInvalid)
// rather than skipped by guessing. A track without an end-of-track event ends
// with its chunk; bytes after an end-of-track event are ignored.
func (d *decoder) track(b []byte) (rawTrack, error) {
	t := rawTrack{program: -1}
	var tick int64
	var running byte
	pos := 0
	for pos < len(b) {
		delta, n, err := readVLQ(b[pos:])
		if err != nil {
			return t, err
		}
		pos += n
		tick += int64(delta)
		if d.events++; d.events > d.lim.MaxEvents {
			return t, fmt.Errorf("too many events (more than %d)", d.lim.MaxEvents)
		}
		if pos >= len(b) {
			return t, errors.New("truncated event at end of track")
		}
		start := pos
		status := b[pos]
		if status < 0x80 {
			if running == 0 {
				return t, fmt.Errorf("data byte 0x%02X without running status", status)
			}
			status = running
		} else {
			pos++
		}
		switch {
		case status < 0xF0:
			size := 2
			if kind := status & 0xF0; kind == 0xC0 || kind == 0xD0 {
				size = 1
			}
			if len(b)-pos < size {
				return t, errors.New("truncated channel message at end of track")
			}
			data := b[pos : pos+size]
			for _, v := range data {
				if v >= 0x80 {
					return t, fmt.Errorf("status byte 0x%02X inside a channel message", v)
				}
			}
			pos += size
			running = status
			if err := d.channelMessage(&t, tick, status, data); err != nil {
				return t, err
			}
			if d.keep {
				t.events = append(t.events, Event{tick, append([]byte{status}, data...)})
			}
		case status == 0xF0 || status == 0xF7:
			running = 0
			body, n, err := readLength(b[pos:], "sysex")
			if err != nil {
				return t, err
			}
			pos += n + len(body)
			if d.keep {
				t.events = append(t.events, Event{tick, bytes.Clone(b[start:pos])})
			}
		case status == 0xFF:
			if pos >= len(b) {
				return t, errors.New("truncated meta event at end of track")
			}
			typ := b[pos]
			pos++
			body, n, err := readLength(b[pos:], "meta event")
			if err != nil {
				return t, err
			}
			pos += n + len(body)
			if typ == metaEndOfTrack {
				t.end = tick
				d.closeOpen(&t)
				return t, nil
			}
			if err := t.meta(tick, typ, body); err != nil {
				return t, err
			}
			if d.keep {
				t.events = append(t.events, Event{tick, bytes.Clone(b[start:pos])})
			}
		default:
			return t, fmt.Errorf("system message status byte 0x%02X inside a track", status)
		}
	}
	t.end = tick
	d.closeOpen(&t)
	return t, nil
}

// channelMessage records the notes and the first program change.
func (d *decoder) channelMessage(t *rawTrack, tick int64, status byte, data []byte) error {
	ch := status & 0x0F
	switch status & 0xF0 {
	case 0x90:
		if data[1] > 0 {
			if d.notes++; d.notes > d.lim.MaxNotes {
				return fmt.Errorf("too many notes (more than %d)", d.lim.MaxNotes)
			}
			k := int(ch)<<7 | int(data[0])
			d.open[k] = append(d.open[k], len(t.notes))
			t.notes = append(t.notes, rawNote{channel: ch, key: data[0], velocity: data[1], start: tick, end: -1})
			return nil
		}
		fallthrough // note-on with velocity 0 is a note-off
	case 0x80:
		k := int(ch)<<7 | int(data[0])
		if q := d.open[k]; len(q) > 0 {
			t.notes[q[0]].end = tick
			if len(q) == 1 {
				d.open[k] = q[:0] // reuse the queue's array from its start
			} else {
				d.open[k] = q[1:]
			}
		}
	case 0xC0:
		if t.program < 0 {
			t.program = int(data[0])
		}
	}
	return nil
}

// closeOpen ends the notes still open at the track's end tick and empties
// the open-note queues for the next track.
func (d *decoder) closeOpen(t *rawTrack) {
	for i := range t.notes {
		if t.notes[i].end < 0 {
			t.notes[i].end = t.end
		}
	}
	for k := range d.open {
		d.open[k] = d.open[k][:0]
	}
}

// meta records the meta events the output needs.
func (t *rawTrack) meta(tick int64, typ byte, body []byte) error {
	switch typ {
	case metaTrackName:
		if t.name == "" {
			t.name = text(body)
		}
	case metaInstrument:
		if t.instrumentName == "" {
			t.instrumentName = text(body)
		}
	case metaTempo:
		if len(body) < 3 {
			return fmt.Errorf("tempo event with %d data bytes", len(body))
		}
		uspq := int(body[0])<<16 | int(body[1])<<8 | int(body[2])
		if uspq == 0 {
			return errors.New("tempo of 0 µs per quarter note")
		}
		t.tempos = append(t.tempos, tempoEvent{tick: tick, uspq: uspq})
	case metaTimeSig:
		if len(body) < 2 {
			return fmt.Errorf("time signature event with %d data bytes", len(body))
		}
		if body[0] == 0 || body[1] > maxDenominatorPower {
			return fmt.Errorf("time signature %d/2^%d out of range", body[0], body[1])
		}
		t.timeSigs = append(t.timeSigs, timeSigEvent{tick: tick, num: int(body[0]), den: 1 << body[1]})
	case metaKeySig:
		if len(body) < 2 {
			return fmt.Errorf("key signature event with %d data bytes", len(body))
		}
		sharps := int(int8(body[0]))
		if sharps < -7 || sharps > 7 || body[1] > 1 {
			return fmt.Errorf("key signature (%d, %d) out of range", sharps, body[1])
		}
		t.keySigs = append(t.keySigs, keySigEvent{tick: tick, sharps: sharps, minor: body[1] == 1})
	}
	return nil
}

// maxDenominatorPower bounds a time signature's denominator to 2^30.
const maxDenominatorPower = 30

// text decodes a text meta event: UTF-8 when valid, else Latin-1 (common in
// older files); surrounding spaces are trimmed and NULs removed (Postgres
// cannot store a NUL in text or jsonb: SQLSTATE 22P05).
func text(b []byte) string {
	b = bytes.Trim(bytes.ReplaceAll(b, []byte{0}, nil), " \t\r\n")
	if utf8.Valid(b) {
		return string(b)
	}
	var s strings.Builder
	s.Grow(2 * len(b))
	for _, c := range b {
		s.WriteRune(rune(c))
	}
	return s.String()
}

// readVLQ reads a variable-length quantity of at most 4 bytes (28 bits),
// returning its value and length.
func readVLQ(b []byte) (uint32, int, error) {
	var v uint32
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("truncated variable-length quantity")
		}
		v = v<<7 | uint32(b[i]&0x7F)
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("variable-length quantity longer than 4 bytes")
}

// readLength reads a VLQ length followed by that many bytes of b, returning
// the bytes and the length of the VLQ.
func readLength(b []byte, what string) ([]byte, int, error) {
	size, n, err := readVLQ(b)
	if err != nil {
		return nil, 0, err
	}
	if uint64(size) > uint64(len(b)-n) {
		return nil, 0, fmt.Errorf("%s length %d beyond the end of its track", what, size)
	}
	return b[n : n+int(size)], n, nil
}

package midi

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Parse reads a whole SMF from r (at most lim.MaxBytes+1 bytes are read) and
// returns the parsed data; name is reported as File.Name. Errors caused by
// the file wrap ErrInvalid; an error from r is returned wrapped, without
// ErrInvalid, so callers can retry it.
//
// Formats 0 and 1 share one timeline: tempo events of every track form the
// tempo map. In format 2 each track is its own timeline with its own tempo
// map. The header's track count is not trusted: the MTrk chunks present are
// used (at most lim.MaxTracks); other chunk types are skipped, and trailing
// bytes that do not form a whole chunk (nor a truncated MTrk) are ignored.
//
// With SMPTE division (negative frames-per-second byte) ticks are absolute
// time: seconds = tick / (fps × ticks per frame), where fps 29 means 29.97
// (30000/1001) drop-frame; tempo events are reported but do not change the
// clock, and File.TicksPerQuarter is the 120 BPM equivalent,
// round(fps × ticks per frame / 2).
func Parse(r io.Reader, name string, lim Limits) (*Data, error) {
	d, _, err := parseAll(r, name, lim, false)
	return d, err
}

// ParseEvents is Parse that also returns the events of every track as the
// file has them (channel messages with their status byte, sysex and meta
// events; not the end of track), at absolute ticks, so the file can be
// rewritten with Write, for example keeping some channels only.
func ParseEvents(r io.Reader, name string, lim Limits) (*Data, [][]Event, error) {
	return parseAll(r, name, lim, true)
}

// parseAll reads and parses a file, keeping its events when keep is set.
func parseAll(r io.Reader, name string, lim Limits, keep bool) (*Data, [][]Event, error) {
	lim = lim.withDefaults()
	n := lim.MaxBytes
	if n < math.MaxInt64 {
		n++
	}
	b, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, nil, fmt.Errorf("midi: read %s: %w", name, err)
	}
	if int64(len(b)) > lim.MaxBytes {
		return nil, nil, invalid("file too large (more than %d bytes)", lim.MaxBytes)
	}
	dec := &decoder{lim: lim, keep: keep}
	d, tracks, err := dec.parseBytes(b, name)
	if err != nil || !keep {
		return d, nil, err
	}
	events := make([][]Event, len(tracks))
	for i, t := range tracks {
		events[i] = t.events
	}
	return d, events, nil
}

// parseBytes parses a whole file held in b. A panic (a bug, never expected)
// is reported as ErrInvalid rather than crashing the worker.
func (dec *decoder) parseBytes(b []byte, name string) (d *Data, tracks []rawTrack, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, tracks, err = nil, nil, invalid("parser failure: %v", p)
		}
	}()
	lim := dec.lim
	format, div, body, err := header(b)
	if err != nil {
		return nil, nil, err
	}
	for len(body) >= 8 {
		typ, size := body[:4], binary.BigEndian.Uint32(body[4:8])
		body = body[8:]
		if uint64(size) > uint64(len(body)) {
			if string(typ) == "MTrk" {
				return nil, nil, invalid("truncated track %d: length %d beyond the end of the file", len(tracks), size)
			}
			break // trailing data that is not a whole chunk
		}
		chunk := body[:size]
		body = body[size:]
		if string(typ) != "MTrk" {
			continue
		}
		if len(tracks) == lim.MaxTracks {
			return nil, nil, invalid("too many tracks (more than %d)", lim.MaxTracks)
		}
		t, err := dec.track(chunk)
		if err != nil {
			return nil, nil, invalid("track %d: %v", len(tracks), err)
		}
		tracks = append(tracks, t)
	}
	if len(tracks) == 0 {
		return nil, nil, invalid("no MTrk track chunk")
	}
	return build(name, int64(len(b)), format, div, tracks), tracks, nil
}

// header decodes the MThd chunk and returns the format, the division and the
// bytes after the header.
func header(b []byte) (int, division, []byte, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("MThd")) {
		return 0, division{}, nil, invalid("not a Standard MIDI File (no MThd header)")
	}
	size := binary.BigEndian.Uint32(b[4:8])
	b = b[8:]
	if size < 6 {
		return 0, division{}, nil, invalid("header length %d shorter than 6", size)
	}
	if uint64(size) > uint64(len(b)) {
		return 0, division{}, nil, invalid("truncated header")
	}
	h, rest := b[:size], b[size:] // bytes after the 6 known ones are skipped
	format := int(binary.BigEndian.Uint16(h[0:2]))
	if format > 2 {
		return 0, division{}, nil, invalid("unsupported format %d", format)
	}
	var div division
	if h[4]&0x80 == 0 {
		div.ticksPerQuarter = int(binary.BigEndian.Uint16(h[4:6]))
		if div.ticksPerQuarter == 0 {
			return 0, division{}, nil, invalid("division of 0 ticks per quarter note")
		}
		return format, div, rest, nil
	}
	fps, perFrame := -int(int8(h[4])), int(h[5])
	rate := float64(fps)
	switch fps {
	case 24, 25, 30:
	case 29:
		rate = 30000.0 / 1001
	default:
		return 0, division{}, nil, invalid("unsupported SMPTE rate of %d frames per second", fps)
	}
	if perFrame == 0 {
		return 0, division{}, nil, invalid("SMPTE division of 0 ticks per frame")
	}
	div.ticksPerSecond = rate * float64(perFrame)
	div.ticksPerQuarter = int(math.Round(div.ticksPerSecond / 2))
	return format, div, rest, nil
}

package midi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// vlq encodes v as a variable-length quantity.
func vlq(v uint32) []byte {
	out := []byte{byte(v & 0x7F)}
	for v >>= 7; v > 0; v >>= 7 {
		out = append([]byte{byte(v&0x7F) | 0x80}, out...)
	}
	return out
}

// trk builds an MTrk body event by event.
type trk struct{ b []byte }

// ev appends raw event bytes after a delta time.
func (t *trk) ev(delta uint32, raw ...byte) *trk {
	t.b = append(append(t.b, vlq(delta)...), raw...)
	return t
}

// meta appends a meta event.
func (t *trk) meta(delta uint32, typ byte, data ...byte) *trk {
	return t.ev(delta, append(append([]byte{0xFF, typ}, vlq(uint32(len(data)))...), data...)...)
}

func (t *trk) on(delta uint32, ch, key, vel byte) *trk  { return t.ev(delta, 0x90|ch, key, vel) }
func (t *trk) off(delta uint32, ch, key, vel byte) *trk { return t.ev(delta, 0x80|ch, key, vel) }
func (t *trk) program(delta uint32, ch, p byte) *trk    { return t.ev(delta, 0xC0|ch, p) }
func (t *trk) name(delta uint32, s string) *trk         { return t.meta(delta, 0x03, []byte(s)...) }
func (t *trk) end(delta uint32) *trk                    { return t.meta(delta, 0x2F) }

// tempo appends a set-tempo event of uspq µs per quarter note.
func (t *trk) tempo(delta uint32, uspq uint32) *trk {
	return t.meta(delta, 0x51, byte(uspq>>16), byte(uspq>>8), byte(uspq))
}

func (t *trk) timeSig(delta uint32, num, denPow byte) *trk {
	return t.meta(delta, 0x58, num, denPow, 24, 8)
}

func (t *trk) keySig(delta uint32, sharps int8, minor byte) *trk {
	return t.meta(delta, 0x59, byte(sharps), minor)
}

// chunk frames body as a chunk of type typ.
func chunk(typ string, body []byte) []byte {
	out := append([]byte(typ), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// header returns an MThd chunk; division is the raw 16-bit field.
func mthd(format, ntracks, division uint16) []byte {
	h := make([]byte, 6)
	binary.BigEndian.PutUint16(h[0:], format)
	binary.BigEndian.PutUint16(h[2:], ntracks)
	binary.BigEndian.PutUint16(h[4:], division)
	return chunk("MThd", h)
}

// smf builds a whole file with metrical or raw division.
func smf(format, division uint16, tracks ...*trk) []byte {
	out := mthd(format, uint16(len(tracks)), division)
	for _, t := range tracks {
		out = append(out, chunk("MTrk", t.b)...)
	}
	return out
}

// parse parses b with default limits and fails the test on error.
func parse(t *testing.T, b []byte) *Data {
	t.Helper()
	d, err := Parse(bytes.NewReader(b), "test.mid", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	checkData(t, d, Limits{}.withDefaults())
	return d
}

// parseErr parses b with lim and asserts an ErrInvalid containing want.
func parseErr(t *testing.T, b []byte, lim Limits, want string) {
	t.Helper()
	d, err := Parse(bytes.NewReader(b), "bad.mid", lim)
	if err == nil {
		t.Fatalf("parsed %d tracks, want error %q", len(d.Tracks), want)
	}
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q: want ErrInvalid containing %q", err, want)
	}
}

package midi

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzLimits keep fuzzed files small and fast.
var fuzzLimits = Limits{MaxBytes: 1 << 16, MaxTracks: 16, MaxNotes: 5000, MaxEvents: 20000}

// fuzzSeeds are valid and broken files the builder makes.
func fuzzSeeds() [][]byte {
	notes := (&trk{}).name(0, "Piano").program(0, 0, 1).on(0, 0, 60, 90).ev(10, 64, 90).off(100, 0, 60, 0).
		on(0, 0, 64, 0).on(5, 1, 60, 1).end(0)
	conductor := (&trk{}).tempo(0, 500000).timeSig(0, 6, 3).keySig(0, -3, 1).tempo(1920, 1000000).end(0)
	sysex := (&trk{}).ev(0, 0xF0, 3, 1, 2, 0xF7).ev(0, 0xF7, 1, 0xF8).meta(0, 0x01, 'h', 'i').on(1, 9, 36, 100)
	return [][]byte{
		smf(0, tpq, notes),
		smf(1, tpq, conductor, notes, sysex),
		smf(2, 96, notes, conductor),
		smf(0, 0xE7<<8|40, conductor, notes),
		append(chunk("MThd", []byte{0, 1, 0, 9, 0, 96, 1, 2}), chunk("JUNK", []byte{1})...),
		smf(0, tpq, &trk{b: []byte{0x81, 0x81, 0x81, 0x81, 0}}),
		smf(0, tpq, &trk{b: []byte{0, 0xFF, 0x03, 0x7F}}),
		smf(0, tpq, &trk{b: []byte{0, 0x3C, 1}}),
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(bytes.NewReader(b), "fuzz.mid", fuzzLimits)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		checkData(t, d, fuzzLimits)
	})
}

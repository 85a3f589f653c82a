package events

import "testing"

func TestParseCursor(t *testing.T) {
	for in, want := range map[string]cursor{"0.0": {0, 0}, "41.907": {41, 907}} {
		got, ok, err := parseCursor(in)
		if err != nil || !ok || got != want || got.String() != in {
			t.Errorf("parseCursor(%q) = %v %v %v", in, got, ok, err)
		}
	}
	if _, ok, err := parseCursor(""); ok || err != nil {
		t.Errorf("empty id: %v %v", ok, err)
	}
	for _, bad := range []string{"x", "1", "1.", ".1", "-1.2", "1.2.3", "1.x", "99999999999999999999.1"} {
		if _, _, err := parseCursor(bad); err == nil {
			t.Errorf("parseCursor(%q) accepted", bad)
		}
	}
}

func TestParseNote(t *testing.T) {
	n, ok := parseNote("u j 12 34")
	if !ok || n != (note{user: "u", job: "j", seq: 12, xmin: 34}) {
		t.Errorf("note = %v %v", n, ok)
	}
	for _, bad := range []string{"", "u j 12", "u j x 34", "u j 12 34 5"} {
		if _, ok := parseNote(bad); ok {
			t.Errorf("parseNote(%q) accepted", bad)
		}
	}
}

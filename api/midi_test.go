package api_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/http"
	"strings"
	"testing"
)

// oneNoteMIDI is a format-0 file at 120 BPM, 480 ticks per quarter: middle C
// from tick 480 (0.5 s) lasting 960 ticks (1 s), then end of track.
func oneNoteMIDI() []byte {
	track := []byte{
		0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, // tempo 500000 µs per quarter
		0x83, 0x60, 0x90, 0x3C, 0x64, // +480: note on C4 velocity 100
		0x87, 0x40, 0x80, 0x3C, 0x00, // +960: note off
		0x00, 0xFF, 0x2F, 0x00,
	}
	var b bytes.Buffer
	b.WriteString("MThd")
	_ = binary.Write(&b, binary.BigEndian, []uint32{6})
	_ = binary.Write(&b, binary.BigEndian, []uint16{0, 1, 480})
	b.WriteString("MTrk")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(track)))
	b.Write(track)
	return b.Bytes()
}

func TestMIDIUploadIsParsedByAJob(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	u, res := e.upload(token, "tune.mid", "audio/midi", oneNoteMIDI())
	var done struct {
		Jobs []struct{ ID, Kind, Status string }
	}
	res.JSON(t, &done)
	if res.Status != http.StatusOK || len(done.Jobs) != 1 || done.Jobs[0].Kind != "midi_parse" {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	if job := e.waitJob(token, done.Jobs[0].ID); job["status"] != "completed" {
		t.Fatalf("midi job = %v", job)
	}
	res = e.do("GET", "/api/v1/midi/"+u.ID, token, nil)
	var got struct {
		MIDI struct {
			Status     string  `json:"parsing_status"`
			Notes      int     `json:"note_count"`
			Tempo      float64 `json:"tempo_bpm"`
			ParsedData struct {
				File   struct{ TicksPerQuarter int }
				Tracks []struct {
					Notes []struct {
						Name      string
						StartTime float64
						Duration  float64
					}
				}
			} `json:"parsed_data"`
		} `json:"midi_file"`
		Settings struct {
			ColorScheme string `json:"color_scheme"`
		}
	}
	res.JSON(t, &got)
	m := got.MIDI
	if res.Status != http.StatusOK || m.Status != "completed" || m.Notes != 1 || m.Tempo != 120 || got.Settings.ColorScheme != "mixed" ||
		len(m.ParsedData.Tracks) != 1 || len(m.ParsedData.Tracks[0].Notes) != 1 {
		t.Fatalf("midi: %d %s", res.Status, res.Body)
	}
	n := m.ParsedData.Tracks[0].Notes[0]
	if n.Name != "C4" || math.Abs(n.StartTime-0.5) > 1e-9 || math.Abs(n.Duration-1) > 1e-9 {
		t.Errorf("note = %+v, want C4 at 0.5 s for 1 s", n)
	}
	if res := e.do("GET", "/api/v1/midi", token, nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), u.ID) {
		t.Errorf("list midi: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/midi/"+u.ID, e.user(), nil); res.Status != http.StatusNotFound {
		t.Errorf("another user's midi: %d", res.Status)
	}
}

func TestMIDISettings(t *testing.T) {
	e := newEnv(t) // no worker: the file stays queued, settings work anyway
	token := e.user()
	u, _ := e.upload(token, "tune.mid", "audio/midi", oneNoteMIDI())
	path := "/api/v1/midi/" + u.ID + "/settings"
	for field, body := range map[string]map[string]any{
		"color_scheme":      {"color_scheme": "neon"},
		"pixels_per_second": {"pixels_per_second": 5},
		"min_key":           {"min_key": 90, "max_key": 30},
		"max_key":           {"max_key": 128},
	} {
		res := e.do("PUT", path, token, body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), field) {
			t.Errorf("invalid %s: %d %s", field, res.Status, res.Body)
		}
	}
	res := e.do("PUT", path, token, map[string]any{"color_scheme": "sage", "pixels_per_second": 120, "min_key": 30, "max_key": 90})
	if res.Status != http.StatusOK {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	res = e.do("GET", path, token, nil)
	if !strings.Contains(string(res.Body), `"color_scheme":"sage"`) || !strings.Contains(string(res.Body), `"pixels_per_second":120`) {
		t.Errorf("get: %s", res.Body)
	}
}

// A MIDI file that passes the magic-byte check but is malformed fails its
// job once with a clear message.
func TestMalformedMIDIFailsItsJob(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	bad := oneNoteMIDI()
	bad = bad[:len(bad)-6] // track chunk shorter than its header says
	_, res := e.upload(token, "broken.mid", "audio/midi", bad)
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	if res.Status != http.StatusOK || len(done.Jobs) != 1 {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	job := e.waitJob(token, done.Jobs[0].ID)
	if msg, _ := job["error"].(string); job["status"] != "failed" || !strings.Contains(msg, "MIDI") {
		t.Errorf("job = %v", job)
	}
}

package corpus

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"phonoglyph/midi"
)

// TestRenderKeepsLeadingSilence renders a part whose first note comes 1.5 s
// in with every renderer kind. Each stem is rendered from its own MIDI file,
// so a renderer that drops the silence before the first note (TiMidity's
// default) would put every part out of step with the others and with the
// truth.
func TestRenderKeepsLeadingSilence(t *testing.T) {
	const tpq, start = 480, 1.5 // 120 BPM: a quarter is 0.5 s
	tick := int64(start / 0.5 * tpq)
	var buf bytes.Buffer
	err := midi.Write(&buf, tpq, []midi.Event{midi.Tempo(0, 500000), midi.NoteOn(tick, 0, 60, 100), midi.NoteOff(tick+tpq, 0, 60)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mid := filepath.Join(dir, "part.mid")
	if err := os.WriteFile(mid, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range []Renderer{TimGM6mb, TimFreepat} {
		t.Run(r.Name(), func(t *testing.T) {
			if err := r.Check(); err != nil {
				t.Fatal(err)
			}
			wav := filepath.Join(dir, r.Kind+".wav")
			if err := r.render(context.Background(), mid, wav); err != nil {
				t.Fatal(err)
			}
			x := decode(t, wav)
			first := -1
			for i, v := range x {
				if math.Abs(float64(v)) > 1e-3 {
					first = i
					break
				}
			}
			if got := float64(first/2) / SampleRate; first < 0 || math.Abs(got-start) > 0.05 {
				t.Fatalf("the first note sounds at %.3f s, written at %.3f s", got, start)
			}
		})
	}
}

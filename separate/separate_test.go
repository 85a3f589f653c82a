package separate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"phonoglyph/dsp"
	"phonoglyph/wavtest"
)

// memStem is an in-memory stem writer.
type memStem struct {
	bytes.Buffer
	closed bool
}

func (m *memStem) Close() error {
	m.closed = true
	return nil
}

// memStems collects the stems Separate writes.
type memStems map[string]*memStem

func (s memStems) open(name string) (io.WriteCloser, error) {
	w := &memStem{}
	s[name] = w
	return w, nil
}

// separate runs Separate on wav and returns the stems written.
func separate(t testing.TB, wav []byte, variant string) memStems {
	t.Helper()
	stems := memStems{}
	if err := Separate(context.Background(), bytes.NewReader(wav), variant, 0, "wav", stems.open, nil); err != nil {
		t.Fatalf("Separate(%s): %v", variant, err)
	}
	return stems
}

// decode reads a stem WAV back, checking its format against the input's.
func decode(t testing.TB, wav []byte, rate, channels int) []float32 {
	t.Helper()
	r, err := dsp.NewWAVReader(bytes.NewReader(wav), dsp.Limits{})
	if err != nil {
		t.Fatalf("stem does not decode: %v", err)
	}
	if f := r.Format(); f.SampleRate != rate || f.Channels != channels || f.BitDepth != 16 || f.Float {
		t.Fatalf("stem format %+v, want %d Hz, %d channels, 16-bit PCM", f, rate, channels)
	}
	var out []float32
	buf := make([]float32, 4096*channels)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading stem: %v", err)
		}
	}
}

// decodeAll decodes every stem of variant, checking names, format and length.
func decodeAll(t testing.TB, stems memStems, variant string, rate, channels, samples int) map[string][]float32 {
	t.Helper()
	names, err := Stems(variant)
	if err != nil {
		t.Fatal(err)
	}
	if len(stems) != len(names) {
		t.Fatalf("%s wrote %d stems, want %v", variant, len(stems), names)
	}
	out := make(map[string][]float32, len(names))
	for _, name := range names {
		w, ok := stems[name]
		if !ok {
			t.Fatalf("%s: stem %s missing", variant, name)
		}
		if !w.closed {
			t.Errorf("%s: stem %s not closed", variant, name)
		}
		out[name] = decode(t, w.Bytes(), rate, channels)
		if len(out[name]) != samples {
			t.Fatalf("%s: stem %s has %d samples, want %d", variant, name, len(out[name]), samples)
		}
	}
	return out
}

// reconstructionDB returns the energy of (Σ stems − mix) relative to the mix,
// in dB.
func reconstructionDB(mix []float32, stems map[string][]float32) float64 {
	sum := make([]float32, len(mix))
	for _, s := range stems {
		for i, v := range s {
			sum[i] += v
		}
	}
	return -SDR(mix, sum)
}

func TestStems(t *testing.T) {
	want := map[string][]string{
		"2stems": {"vocals", "accompaniment"},
		"4stems": {"vocals", "drums", "bass", "other"},
		"5stems": {"vocals", "drums", "bass", "piano", "other"},
	}
	for variant, names := range want {
		got, err := Stems(variant)
		if err != nil || !slices.Equal(got, names) {
			t.Errorf("Stems(%q) = %v, %v; want %v", variant, got, err, names)
		}
		got[0] = "changed"
		if again, _ := Stems(variant); again[0] != names[0] {
			t.Errorf("Stems(%q) shares its slice with callers", variant)
		}
	}
	for _, variant := range []string{"", "3stems", "4STEMS"} {
		if _, err := Stems(variant); !errors.Is(err, ErrUnknownVariant) {
			t.Errorf("Stems(%q) error = %v, want ErrUnknownVariant", variant, err)
		}
		err := Separate(context.Background(), bytes.NewReader(wavtest.Sine(8000, 1, 0.1, 440, 0.5)), variant, 0, "wav", memStems{}.open, nil)
		if !errors.Is(err, ErrUnknownVariant) {
			t.Errorf("Separate(%q) error = %v, want ErrUnknownVariant", variant, err)
		}
	}
}

// TestSeparateQuality separates the synthetic mix with every variant: the
// drums and bass of 4stems reach 6 dB SDR and every variant sums back to the
// mix within −40 dB. The table is the one in BENCHMARKS.md (go test -v).
func TestSeparateQuality(t *testing.T) {
	m := synthMix(44100, 12)
	var table strings.Builder
	columns := append(slices.Clone(sourceNames), "accompaniment")
	fmt.Fprintf(&table, "| variant | %s | reconstruction |\n", strings.Join(columns, " | "))
	for _, variant := range []string{"2stems", "4stems", "5stems"} {
		stems := decodeAll(t, separate(t, m.wav, variant), variant, m.rate, 2, len(m.mix))
		sdr := map[string]float64{}
		for name, est := range stems {
			sdr[name] = SDR(m.reference(variant, name), est)
		}
		rec := reconstructionDB(m.mix, stems)
		fmt.Fprintf(&table, "| %s |", variant)
		for _, name := range columns {
			if v, ok := sdr[name]; ok {
				fmt.Fprintf(&table, " %.1f |", v)
			} else {
				table.WriteString(" – |")
			}
		}
		if math.IsInf(rec, -1) {
			table.WriteString(" exact |\n")
		} else {
			fmt.Fprintf(&table, " %.1f dB |\n", rec)
		}
		if rec > -40 {
			t.Errorf("%s: stems sum to the mix within %.1f dB, want ≤ −40 dB", variant, rec)
		}
		if variant == "4stems" {
			for _, name := range []string{"drums", "bass"} {
				if sdr[name] < 6 {
					t.Errorf("4stems %s SDR %.2f dB, want ≥ 6 dB", name, sdr[name])
				}
			}
		}
	}
	t.Logf("SDR (dB) on %d s of the synthetic mix:\n%s", len(m.mix)/2/m.rate, table.String())
}

package corpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"phonoglyph/wavtest"
)

// The corpus writes its WAVs with dsp's writer now; before, it had its own
// 24-bit writer. These SHA-256 sums are of files that former writer wrote
// (a control track's mix, and two stems with their mix), so the corpus
// bytes are the same and corpus.Version did not change for the move. A
// change of them is a change of every corpus file: bump Version.
func TestWAVBytesUnchanged(t *testing.T) {
	dir := t.TempDir()
	if _, err := synthControl("pink", 0.5).make(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	for path, wav := range map[string][]byte{a: wavtest.Sine(SampleRate, 2, 0.3, 440, 0.5), b: wavtest.Sine(SampleRate, 2, 0.5, 97, 0.7)} {
		if err := os.WriteFile(path, wav, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outs := []string{filepath.Join(dir, "sa.wav"), filepath.Join(dir, "sb.wav")}
	if err := writeStemsAndMix([]string{a, b}, outs, filepath.Join(dir, "m.wav"), 0.6, 22050); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"mix.wav": "278f975461d14a417b2a31b23ee9b8797022976f96e87fea3c53f61db12f0232",
		"sa.wav":  "62cfdbb61de9843736a9700881b5293fc411b7bc9d78cd4798909c8e10ed7695",
		"sb.wav":  "f54c7fa1ad2f89622f4addca01131bf5ef5bfc84422f6922bd8cb54721e6f67a",
		"m.wav":   "6d1d7282a2e64c050571939035e544c826f64c723ae31805bc4ff3f6f2b1c30c",
	} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s (%d bytes) hashes to %x, not what the corpus wrote before", name, len(raw), sum)
		}
	}
}

package dsp

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// soxPath returns sox, a required peer of these tests.
func soxPath(t *testing.T) string { return peer(t, "sox") }

// peer returns the path of a peer tool the tests compare against. A missing
// peer fails the test (never a silent skip): .ci/run installs them.
func peer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: apt-get install %s (scripts in .ci/run do)", name, name)
	}
	return path
}

func runSox(t *testing.T, sox string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(sox, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sox %v: %v\n%s", args, err, stderr.Bytes())
	}
	return append(out, stderr.Bytes()...)
}

// TestSoxDecodeAgrees decodes files sox writes in every supported format
// (sox uses WAVE_FORMAT_EXTENSIBLE above 16 bits or 2 channels, and adds a
// fact chunk to float files) and compares each sample with sox's own
// conversion to raw float32.
func TestSoxDecodeAgrees(t *testing.T) {
	sox := soxPath(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string // output format options
		tol  float64
	}{
		{"u8", []string{"-e", "unsigned-integer", "-b", "8"}, 0},
		{"s16", []string{"-b", "16"}, 0},
		{"s24 stereo", []string{"-b", "24", "-c", "2"}, 0},
		// sox rounds 32-bit samples to multiples of 128 (25 bits) before
		// scaling them to float; this package rounds once, to float32.
		{"s32 6ch", []string{"-e", "signed-integer", "-b", "32", "-c", "6"}, 1e-7},
		// sox converts float through 32-bit integers internally, then as above.
		{"f32", []string{"-e", "floating-point", "-b", "32"}, 1e-7},
		{"f64 stereo", []string{"-e", "floating-point", "-b", "64", "-c", "2"}, 1e-7},
	} {
		path := filepath.Join(dir, tc.name+".wav")
		args := append([]string{"-n", "-r", "48000"}, tc.args...)
		args = append(args, path, "synth", "0.5", "sine", "440", "sine", "1234", "vol", "0.9")
		runSox(t, sox, args...)
		raw := runSox(t, sox, path, "-t", "f32", "-e", "floating-point", "-b", "32", "-")
		want := make([]float32, 0, len(raw)/4)
		for i := 0; i+4 <= len(raw); i += 4 {
			want = append(want, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
		}

		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		w, err := NewWAVReader(f, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := readAll(t, w, 1000)
		f.Close()
		if err != io.EOF {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(want) || len(got) != 24000*w.Format().Channels {
			t.Fatalf("%s: %d samples, sox gives %d", tc.name, len(got), len(want))
		}
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > tc.tol {
				t.Fatalf("%s: sample %d = %v, sox gives %v", tc.name, i, got[i], want[i])
			}
		}
	}
}

// TestSoxStat compares peak and RMS with `sox f.wav -n stat` on a 1 kHz sine
// at half scale that sox generated.
func TestSoxStat(t *testing.T) {
	sox := soxPath(t)
	path := filepath.Join(t.TempDir(), "sine.wav")
	runSox(t, sox, "-n", "-r", "44100", "-c", "1", "-b", "16", path, "synth", "3", "sine", "1000", "vol", "0.5")
	stat := string(runSox(t, sox, path, "-n", "stat"))
	field := func(name string) float64 {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(stat)
		if m == nil {
			t.Fatalf("no %q in sox stat output:\n%s", name, stat)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := AnalyzeBasic(f, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := field("Samples read"); float64(b.Frames) != want {
		t.Errorf("Frames = %d, sox read %v", b.Frames, want)
	}
	if want := field("Length \\(seconds\\)"); math.Abs(b.Duration-want) > 1e-6 {
		t.Errorf("Duration = %v, sox %v", b.Duration, want)
	}
	peak := max(field("Maximum amplitude"), -field("Minimum amplitude"))
	if math.Abs(b.Peak-peak) > 1e-6 {
		t.Errorf("Peak = %v, sox %v", b.Peak, peak)
	}
	// Frames overlap by half, so the mean of the squared frame RMS weighs
	// every sample equally except the first and last hop.
	var sumSq float64
	for _, r := range b.RMS {
		sumSq += float64(r) * float64(r)
	}
	if got, want := math.Sqrt(sumSq/float64(len(b.RMS))), field("RMS\\s+amplitude"); math.Abs(got-want) > 1e-5 {
		t.Errorf("RMS = %v, sox %v", got, want)
	}
	if math.Abs(b.Peak-0.5) > 1e-4 || math.Abs(float64(b.RMS[100])-0.5/math.Sqrt2) > 0.005 {
		t.Errorf("peak %v, RMS[100] %v; want 0.5, %v", b.Peak, b.RMS[100], 0.5/math.Sqrt2)
	}
}

package visualizer

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"phonoglyph/wavtest"
)

// needFFmpeg fails (never skips) the test when ffmpeg or ffprobe is missing:
// the local renderer is the default and must be tested.
func needFFmpeg(tb testing.TB) {
	tb.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			tb.Fatalf("%s is not on PATH; install it with `apt-get install -y ffmpeg`: %v", bin, err)
		}
	}
}

// writeFile writes data to name in dir and returns the path.
func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// sineWAV writes a 44.1 kHz stereo 440 Hz sine of the given length.
func sineWAV(tb testing.TB, dir string, seconds float64) string {
	tb.Helper()
	return writeFile(tb, dir, "sine.wav", wavtest.Sine(44100, 2, seconds, 440, 0.5))
}

// musicWAV writes a 44.1 kHz stereo stand-in for music: a gliding chord,
// kick-like thumps every half second and noise, so the spectrogram is as
// busy (and as costly to encode) as a real track's.
func musicWAV(tb testing.TB, dir string, seconds float64) string {
	tb.Helper()
	const rate = 44100
	rng := rand.New(rand.NewPCG(1, 2))
	n := int(seconds * rate)
	samples := make([]int16, 0, 2*n)
	for i := range n {
		t := float64(i) / rate
		beat := math.Mod(t, 0.5)
		v := 0.2*math.Sin(2*math.Pi*(220+20*math.Sin(t))*t) +
			0.15*math.Sin(2*math.Pi*277.2*t) + 0.1*math.Sin(2*math.Pi*329.6*t) +
			0.4*math.Exp(-beat*20)*math.Sin(2*math.Pi*60*beat) +
			0.05*(rng.Float64()*2-1)
		l := int16(math.Round(32767 * 0.8 * v))
		r := int16(math.Round(32767 * 0.8 * (v + 0.05*math.Sin(2*math.Pi*1760*t))))
		samples = append(samples, l, r)
	}
	return writeFile(tb, dir, "music.wav", wavtest.PCM16(rate, 2, samples))
}

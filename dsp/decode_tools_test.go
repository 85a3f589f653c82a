package dsp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestToolsVsFFmpeg: mpg123 and flac, the decoder tools Open prefers for MP3
// and FLAC, deliver ffmpeg's samples from files ffmpeg encoded — the same
// length and alignment (gapless MP3), FLAC's integers exactly, MP3 within
// float rounding of ffmpeg's own decoder — for stereo and mono, 44.1 and
// 48 kHz, 16 and 24 bits, from a file and from a plain reader.
func TestToolsVsFFmpeg(t *testing.T) {
	ff := ffmpegPath(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, tool, ext string
		ch, rate        int
		enc             []string
		tol             float64
	}{
		{"mp3-stereo", "mpg123", "mp3", 2, 44100, []string{"-c:a", "libmp3lame", "-b:a", "192k"}, 1e-5},
		{"mp3-mono-48k-vbr", "mpg123", "mp3", 1, 48000, []string{"-c:a", "libmp3lame", "-q:a", "4"}, 1e-5},
		{"flac-stereo", "flac", "flac", 2, 44100, []string{"-c:a", "flac"}, 0},
		{"flac-mono-24bit-48k", "flac", "flac", 1, 48000, []string{"-c:a", "flac", "-sample_fmt", "s32"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onlyTool(t, tc.tool)
			var off []float64
			g, _ := drumPattern(tc.rate, 120, 6, &off)
			if tc.ch == 1 {
				mono := newSignal(tc.rate, 1, 6)
				for i := range mono.s {
					mono.s[i] = 0.5 * (g.s[2*i] + g.s[2*i+1])
				}
				g = mono
			}
			src, path := filepath.Join(dir, tc.name+".wav"), filepath.Join(dir, tc.name+"."+tc.ext)
			if err := os.WriteFile(src, g.wav(), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-v", "error", "-i", src}, tc.enc...)
			if out, err := exec.Command(ff, append(args, path)...).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			pcm, err := exec.Command(ff, "-v", "error", "-i", path, "-f", "f32le", "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float32, len(pcm)/4)
			for i := range want {
				want[i] = math.Float32frombits(binary.LittleEndian.Uint32(pcm[4*i:]))
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fh, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			for _, in := range []struct {
				name string
				r    io.Reader
			}{{"file", fh}, {"reader", bytes.NewReader(b)}} {
				d, c, err := Open(in.r, path, Limits{})
				if err != nil {
					t.Fatalf("%s: %v", in.name, err)
				}
				got, err := readAll(t, d, 4096)
				c.Close()
				if err != io.EOF {
					t.Fatalf("%s: %v", in.name, err)
				}
				f := d.Format()
				if by := DecoderProcess(d); by != tc.tool || f.Channels != tc.ch || f.SampleRate != tc.rate {
					t.Fatalf("%s: decoded by %q, %+v", in.name, by, f)
				}
				if f.Frames >= 0 && f.Frames != int64(len(got)/tc.ch) {
					t.Errorf("%s: declares %d frames, decodes %d", in.name, f.Frames, len(got)/tc.ch)
				}
				if len(got) != len(want) {
					t.Fatalf("%s: %d samples, ffmpeg %d", in.name, len(got), len(want))
				}
				worst := 0.0
				for i := range got {
					worst = max(worst, math.Abs(float64(got[i]-want[i])))
				}
				t.Logf("%s: %d frames, largest difference from ffmpeg %.3g", in.name, len(got)/tc.ch, worst)
				if worst > tc.tol {
					t.Errorf("%s: largest difference from ffmpeg %g, want ≤ %g", in.name, worst, tc.tol)
				}
			}
		})
	}
}

// TestToolErrors: what mpg123 and flac cannot decode is an ErrInvalid error
// naming the tool, corrupted files never hang or escape the Decoder contract,
// a declared length over the limit is refused before decoding, and Close
// kills a tool that is still decoding.
func TestToolErrors(t *testing.T) {
	for _, tc := range []struct{ tool, ext string }{{"mpg123", ".mp3"}, {"flac", ".flac"}} {
		t.Run(tc.tool, func(t *testing.T) {
			onlyTool(t, tc.tool)
			seeds := seedFiles(t, tc.ext)
			// A valid start followed by noise: no frame can be decoded.
			junk := append(bytes.Clone(seeds[0][:64]), bytes.Repeat([]byte("\x17\x91\x00\xd3"), 4096)...)
			_, _, err := Open(bytes.NewReader(junk), "x"+tc.ext, Limits{})
			if !isErr(err, ErrInvalid) || !strings.Contains(err.Error(), tc.tool) {
				t.Errorf("junk: %v", err)
			}
			rng := rand.New(rand.NewPCG(2, 2))
			for i := range 60 {
				s := bytes.Clone(seeds[i%len(seeds)])
				for range 1 + rng.IntN(8) {
					s[rng.IntN(len(s))] = byte(rng.IntN(256))
				}
				watchdog(t, func() { fuzzDecode(t, s, "x"+tc.ext) })
			}
		})
	}
	t.Run("declared-too-long", func(t *testing.T) {
		path, b := thirtySecondFLAC(t)
		onlyTool(t, "flac")
		_, _, err := Open(bytes.NewReader(b), path, Limits{MaxSeconds: 10})
		wantDeclaredTooLong(t, err)
	})
	t.Run("close", func(t *testing.T) {
		onlyTool(t, "flac")
		ff := ffmpegPath(t)
		path := filepath.Join(t.TempDir(), "long.flac")
		if out, err := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "anoisesrc=r=44100", "-t", "120", "-c:a", "flac", path).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		d, c, err := Open(fh, path, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Read(make([]float32, 4096)); err != nil {
			t.Fatal(err)
		}
		proc := d.(*procDecoder).cmd.Process
		c.Close()
		// Reaped by Close: the process is gone, not a zombie.
		if err := proc.Signal(syscall.Signal(0)); !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("after Close, signalling flac: %v", err)
		}
	})
}

// TestPickTool: a tool that keeps the file's rate is preferred when the file
// is at the rate wanted (or none is wanted); for another rate ffmpeg, which
// resamples in its own process, comes first, and the tool still serves
// without ffmpeg.
func TestPickTool(t *testing.T) {
	ff := ffmpegPath(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		tool, ext string
		rate      int
	}{{"mpg123", "mp3", 44100}, {"mpg123", "mp3", 48000}, {"mpg123", "mp3", 22050}, {"flac", "flac", 44100}, {"flac", "flac", 96000}} {
		t.Run(fmt.Sprintf("%s-%d", tc.ext, tc.rate), func(t *testing.T) {
			peer(t, tc.tool)
			path := filepath.Join(dir, fmt.Sprintf("%d.%s", tc.rate, tc.ext))
			if out, err := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("sine=r=%d", tc.rate), "-t", "1", path).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			head := b[:min(len(b), sniffSize)]
			kind := sniff(head, path)
			if got := headerRate(kind, head); got != tc.rate {
				t.Errorf("%s: header rate %d", path, got)
			}
			want := "ffmpeg"
			if tc.rate == AnalysisRate {
				want = tc.tool
			}
			if got := pickTool(kind, head, AnalysisRate); got == nil || got.name != want {
				t.Errorf("%s for analysis: %v, want %s", path, got, want)
			}
			if got := pickTool(kind, head, 0); got == nil || got.name != tc.tool {
				t.Errorf("%s at its rate: %v, want %s", path, got, tc.tool)
			}
			onlyTool(t, tc.tool)
			if got := pickTool(kind, head, AnalysisRate); got == nil || got.name != tc.tool {
				t.Errorf("%s without ffmpeg: %v, want %s", path, got, tc.tool)
			}
		})
	}
}

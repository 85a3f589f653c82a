package dsp

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFFmpegLog: the file's rate and duration come from the input's
// description (not the output's), tagged error lines become the message,
// an overlong metadata line is survived, and the description's end is
// signalled.
func TestFFmpegLog(t *testing.T) {
	log := strings.Join([]string{
		"[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/dsp-ffmpeg-1':",
		"[info]   Metadata:",
		"[info]     lyrics          : " + strings.Repeat("la ", 3000),
		"[info]   Duration: 01:02:03.50, start: 0.000000, bitrate: 197 kb/s",
		"[info]   Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1, fltp, 196 kb/s (default)",
		"[info] Stream mapping:",
		"[info]   Stream #0:0 -> #0:0 (aac (native) -> pcm_f32le (native))",
		"[info] Output #0, wav, to 'pipe:1':",
		"[info]   Stream #0:0(und): Audio: pcm_f32le ([3][0][0][0] / 0x0003), 44100 Hz, 5.1, flt, 2822 kb/s (default)",
		"[aac @ 0x55d03a9d24c0] [error] Input buffer exhausted before END element found",
		"[error] Error while decoding stream #0:0: Invalid data found when processing input",
		"[info] size=     864kB time=00:00:02.50 bitrate=2822.7kbits/s speed= 589x",
		"",
	}, "\n")
	l := readToolLog(strings.NewReader(log), true)
	<-l.described
	<-l.done
	if l.rate != 48000 || l.duration != 3723.5 {
		t.Errorf("rate %d, duration %v; want 48000, 3723.5", l.rate, l.duration)
	}
	want := "Input buffer exhausted before END element found; Error while decoding stream #0:0: Invalid data found when processing input"
	if got := l.errors.String(); got != want {
		t.Errorf("errors %q\nwant %q", got, want)
	}

	// Nothing but an error (the input could not be opened).
	l = readToolLog(strings.NewReader("[error] /tmp/x: Invalid data found when processing input\n"), true)
	<-l.described
	<-l.done
	if l.rate != 0 || l.duration != 0 || !strings.Contains(l.errors.String(), "Invalid data") {
		t.Errorf("%+v", l)
	}
}

// TestFFmpegRefuses: what ffmpeg cannot decode fails with ffmpeg's own
// words, and a rate beyond the limits is refused before any decoding.
func TestFFmpegRefuses(t *testing.T) {
	ff := ffmpegPath(t)
	_, _, err := Open(bytes.NewReader([]byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00garbage garbage")), "x.m4a", Limits{})
	if !isErr(err, ErrInvalid) || !strings.Contains(err.Error(), "ffmpeg") {
		t.Errorf("corrupt M4A: %v", err)
	}
	path := filepath.Join(t.TempDir(), "hi.flac")
	if out, err := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "sine=f=440:r=384000", "-t", "0.5", "-c:a", "flac", path).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = OpenForAnalysis(bytes.NewReader(b), path, Limits{})
	if !isErr(err, ErrInvalid) || !strings.Contains(err.Error(), "384000 Hz") {
		t.Errorf("384 kHz FLAC: %v", err)
	}
}

// TestFFmpegAtTheLimit: an AAC file exactly as long as MaxSeconds decodes
// (ffmpeg pads it to a whole codec frame), one a second longer is refused
// from its container's duration.
func TestFFmpegAtTheLimit(t *testing.T) {
	ff := ffmpegPath(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		seconds string
		ok      bool
	}{{"2", true}, {"3", false}} {
		path := filepath.Join(dir, tc.seconds+".m4a")
		if out, err := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "sine=f=440:r=44100", "-t", tc.seconds,
			"-c:a", "aac", path).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		d, c, err := OpenForAnalysis(fh, path, Limits{MaxSeconds: 2})
		if err == nil {
			_, err = Analyze(d, Options{})
			c.Close()
		}
		fh.Close()
		if tc.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "declares 3.0 s of audio; the limit is 2 s")) {
			t.Errorf("%s s AAC with a 2 s limit: %v", tc.seconds, err)
		}
	}
}

// TestMP3LyingFrameCount: the pure-Go MP3 decoder believes the Xing tag's
// frame count (it sizes Analyze's reservations) only within the limits.
func TestMP3LyingFrameCount(t *testing.T) {
	withoutFFmpeg(t)
	b, err := os.ReadFile(filepath.Join("testdata", "seed-stereo.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	d, c, err := Open(bytes.NewReader(b), "x.mp3", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if f := d.Format(); f.Frames <= 0 || f.Frames > 10*int64(f.SampleRate) {
		t.Fatalf("seed: %+v", f)
	}
	i := bytes.Index(b, []byte("Xing"))
	if i < 0 {
		i = bytes.Index(b, []byte("Info"))
	}
	if i < 0 || b[i+7]&1 == 0 {
		t.Fatal("the seed has no Xing frame count")
	}
	lie := bytes.Clone(b)
	copy(lie[i+8:], []byte{0xff, 0xff, 0xff, 0xff}) // 4.3 G frames of 1152 samples
	d, c, err = Open(bytes.NewReader(lie), "x.mp3", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f := d.Format(); f.Frames != -1 {
		t.Errorf("lying Xing count believed: %+v", f)
	}
	if _, err := Analyze(d, Options{}); err != nil {
		t.Errorf("lying Xing count: %v", err)
	}
}

// TestFFmpegDeclaredTooLong: a file whose container declares more than
// MaxSeconds is refused when it is opened, before ffmpeg decodes it.
func TestFFmpegDeclaredTooLong(t *testing.T) {
	path, b := thirtySecondFLAC(t)
	_, _, err := OpenForAnalysis(bytes.NewReader(b), path, Limits{MaxSeconds: 10})
	wantDeclaredTooLong(t, err)
}

// thirtySecondFLAC writes 30 s of 8 kHz mono silence as FLAC with ffmpeg and
// returns its path and bytes.
func thirtySecondFLAC(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "long.flac")
	if out, err := exec.Command(ffmpegPath(t), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "30",
		"-c:a", "flac", path).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// wantDeclaredTooLong checks that opening thirtySecondFLAC's file with a
// 10 s limit was refused for what its header declares.
func wantDeclaredTooLong(t *testing.T, err error) {
	t.Helper()
	if !isErr(err, ErrInvalid) || !strings.Contains(err.Error(), "declares 30.0 s of audio; the limit is 10 s") {
		t.Errorf("30 s FLAC, 10 s limit: %v", err)
	}
}

// TestOggLengthFromLastPage checks that the pure-Go Ogg Vorbis decoder
// declares the stream's length, read from the last page of a seekable file,
// as exactly the frames it decodes (so Analyze reserves its arrays once
// instead of growing them by copying), and none for a plain stream.
func TestOggLengthFromLastPage(t *testing.T) {
	path := filepath.Join("testdata", "seed-stereo.ogg")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, _ := io.ReadFull(f, head)
	want := oggLength(f, head[:n])
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != int64(n) {
		t.Fatalf("oggLength left the file at %d, not %d", pos, n)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	d, err := newOggDecoder(bufio.NewReader(f), Limits{}.withDefaults(), want)
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	buf := make([]float32, 4096)
	for {
		n, err := d.Read(buf)
		got += int64(n / d.Format().Channels)
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if want <= 0 || d.Format().Frames != got {
		t.Fatalf("declared %d frames (last page %d), decoded %d", d.Format().Frames, want, got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if l := oggLength(bufio.NewReader(bytes.NewReader(b)), b); l != -1 {
		t.Fatalf("a stream that cannot seek: length %d, want -1", l)
	}
}

package separate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"phonoglyph/dsp"
)

// TestSeparateRate separates a 44.1 kHz input into 48 kHz stems and a 48 kHz
// one into 44.1 kHz stems: the stems have the requested rate and the
// resampled length, and sum back to the resampled input.
func TestSeparateRate(t *testing.T) {
	for _, tc := range []struct{ in, out int }{{44100, 48000}, {48000, 44100}, {22050, 44100}} {
		m := synthMix(tc.in, 2)
		stems := memStems{}
		if err := Separate(context.Background(), bytes.NewReader(m.wav), "4stems", tc.out, "wav", stems.open, nil); err != nil {
			t.Fatal(err)
		}
		frames := resampledFrames(int64(len(m.mix)/2), tc.in, tc.out)
		want := make([]float32, 2*frames)
		r := newResampler(sliceSource(m.mix, 4096), 2, tc.in, tc.out, frames)
		if n, err := readFull(r.Read, want); err != nil || n != len(want) {
			t.Fatalf("resampling the mix: %d samples, %v", n, err)
		}
		got := decodeAll(t, stems, "4stems", tc.out, 2, len(want))
		if rec := reconstructionDB(want, got); rec > -40 {
			t.Errorf("%d→%d Hz: stems sum to the resampled mix within %.1f dB, want ≤ −40 dB", tc.in, tc.out, rec)
		}
	}
}

// TestSeparateMP3 writes mp3 stems through ffmpeg (a required tool of
// these tests): every stem decodes as MP3 at the requested rate with the
// input's channels and about its length (the encoder adds padding).
func TestSeparateMP3(t *testing.T) {
	m := synthMix(44100, 2)
	stems := memStems{}
	if err := Separate(context.Background(), bytes.NewReader(m.wav), "2stems", 48000, "mp3", stems.open, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vocals", "accompaniment"} {
		w := stems[name]
		if w == nil || !w.closed {
			t.Fatalf("stem %s missing or not closed", name)
		}
		dec, closer, err := dsp.Open(bytes.NewReader(w.Bytes()), name+".mp3", dsp.Limits{})
		if err != nil {
			t.Fatalf("stem %s does not decode as MP3: %v", name, err)
		}
		f := dec.Format()
		var frames int
		buf := make([]float32, 4096)
		for {
			n, err := dec.Read(buf)
			frames += n / f.Channels
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		closer.Close()
		if f.SampleRate != 48000 || f.Channels != 2 || frames < 96000 || frames > 96000+4800 {
			t.Errorf("stem %s: %d Hz, %d channels, %d frames; want 48000 Hz stereo, 96000 frames and a little padding", name, f.SampleRate, f.Channels, frames)
		}
	}
}

// TestSeparateOutputErrors checks the refusals: an unknown format, a rate
// out of range or that MP3 does not have, and mp3 without ffmpeg, all
// before any stem is opened.
func TestSeparateOutputErrors(t *testing.T) {
	wav, _ := noiseWAV(44100, 2, 1000)
	for _, tc := range []struct {
		rate   int
		format string
		want   error
	}{
		{0, "flac", ErrFormat},
		{4000, "wav", ErrFormat},
		{96000, "mp3", ErrFormat},
		{1 << 20, "wav", ErrFormat},
	} {
		stems := memStems{}
		err := Separate(context.Background(), bytes.NewReader(wav), "4stems", tc.rate, tc.format, stems.open, nil)
		if !errors.Is(err, tc.want) || len(stems) != 0 {
			t.Errorf("%d Hz %q: error %v after opening %d stems, want %v and none", tc.rate, tc.format, err, len(stems), tc.want)
		}
	}
	defer func(p string) { dsp.FFmpegPath = p }(dsp.FFmpegPath)
	dsp.FFmpegPath = "/nonexistent/ffmpeg"
	stems := memStems{}
	err := Separate(context.Background(), bytes.NewReader(wav), "4stems", 44100, "mp3", stems.open, nil)
	if !errors.Is(err, ErrNeedFFmpeg) || len(stems) != 0 {
		t.Errorf("mp3 without ffmpeg: error %v after opening %d stems, want ErrNeedFFmpeg and none", err, len(stems))
	}
}

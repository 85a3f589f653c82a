package separate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"phonoglyph/dsp"
	"phonoglyph/wavtest"
)

// noiseWAV returns a 16-bit WAV of frames frames of noise and its samples as
// the decoder reads them.
func noiseWAV(rate, channels, frames int) ([]byte, []float32) {
	rng := rand.New(rand.NewPCG(uint64(rate), uint64(channels)))
	pcm := make([]int16, frames*channels)
	mix := make([]float32, len(pcm))
	for i := range pcm {
		pcm[i] = int16(rng.IntN(20000) - 10000)
		mix[i] = float32(pcm[i]) / 32768
	}
	return wavtest.PCM16(rate, channels, pcm), mix
}

// unknownLength rewrites the data size of a canonical WAV as 0, as streaming
// writers do.
func unknownLength(wav []byte) []byte {
	w := bytes.Clone(wav)
	binary.LittleEndian.PutUint32(w[40:], 0)
	return w
}

// TestSeparateFormats separates inputs of several rates, channel counts and
// lengths (not multiples of the hop, shorter than a frame, empty): every stem
// decodes with the input's rate, channels and length, and the stems sum back
// to the input.
func TestSeparateFormats(t *testing.T) {
	for _, tc := range []struct {
		rate, channels, frames int
		variant                string
	}{
		{8000, 1, 12345, "4stems"},
		{22050, 2, 30001, "5stems"},
		{48000, 3, 20000, "2stems"},
		{16000, 2, 100, "4stems"},
		{44100, 2, 1, "5stems"},
		{44100, 2, 0, "4stems"},
	} {
		wav, mix := noiseWAV(tc.rate, tc.channels, tc.frames)
		stems := decodeAll(t, separate(t, wav, tc.variant), tc.variant, tc.rate, tc.channels, len(mix))
		if tc.frames == 0 {
			continue
		}
		if rec := reconstructionDB(mix, stems); rec > -40 {
			t.Errorf("%+v: stems sum to the mix within %.1f dB, want ≤ −40 dB", tc, rec)
		}
	}
}

// asRF64 rewrites a canonical WAV as RF64 (EBU Tech 3306), as dsp's writer
// writes one past 4 GiB: 0xFFFFFFFF in the 32-bit sizes, the real ones in a
// ds64 chunk.
func asRF64(wav []byte) []byte {
	le := binary.LittleEndian
	data := wav[dsp.WAVHeaderSize:]
	block := int(le.Uint16(wav[32:]))
	out := append([]byte("RF64"), 0xFF, 0xFF, 0xFF, 0xFF)
	out = append(out, "WAVEds64"...)
	out = le.AppendUint32(out, 28)
	out = le.AppendUint64(out, uint64(dsp.RF64HeaderSize-8+len(data)))
	out = le.AppendUint64(out, uint64(len(data)))
	out = le.AppendUint64(out, uint64(len(data)/block))
	out = le.AppendUint32(out, 0)
	out = append(out, wav[12:36]...) // the fmt chunk
	out = append(out, "data"...)
	out = append(out, 0xFF, 0xFF, 0xFF, 0xFF)
	return append(out, data...)
}

// TestSeparateDeterministic checks that reruns, a WAV of undeclared length
// and the same WAV as RF64 give the same bytes.
func TestSeparateDeterministic(t *testing.T) {
	m := synthMix(22050, 3)
	first := separate(t, m.wav, "5stems")
	for name, wav := range map[string][]byte{"rerun": m.wav, "undeclared length": unknownLength(m.wav), "RF64": asRF64(m.wav)} {
		again := separate(t, wav, "5stems")
		for stem, w := range first {
			if !bytes.Equal(w.Bytes(), again[stem].Bytes()) {
				t.Errorf("%s: stem %s differs", name, stem)
			}
		}
	}
}

func TestSeparateProgress(t *testing.T) {
	wav, _ := noiseWAV(8000, 1, 40000)
	var got []float64
	err := Separate(context.Background(), bytes.NewReader(wav), "2stems", 0, "wav", memStems{}.open, func(p float64) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 || got[0] != 0 || got[len(got)-1] != 1 {
		t.Fatalf("progress %v: want 0, steps, 1", got)
	}
	for i := 1; i < len(got); i++ {
		if !(got[i] > got[i-1]) {
			t.Fatalf("progress %v is not increasing", got)
		}
	}
}

func TestSeparateCancel(t *testing.T) {
	wav, _ := noiseWAV(8000, 2, 80000)
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		stems := memStems{}
		if err := Separate(ctx, bytes.NewReader(wav), "4stems", 0, "wav", stems.open, nil); err != context.Canceled {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if len(stems) != 0 {
			t.Errorf("opened %d stems", len(stems))
		}
	})
	for name, tc := range map[string]struct {
		wav    []byte
		opened int
	}{
		"during separation":                          {wav, 4},
		"while buffering a WAV of undeclared length": {unknownLength(wav), 0},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stems := memStems{}
			err := Separate(ctx, &cancelReader{r: bytes.NewReader(tc.wav), cancel: cancel, after: 20000}, "4stems", 0, "wav", stems.open, nil)
			if err != context.Canceled {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if len(stems) != tc.opened {
				t.Errorf("opened %d stems, want %d", len(stems), tc.opened)
			}
			for stem, w := range stems {
				if !w.closed {
					t.Errorf("stem %s not closed", stem)
				}
			}
		})
	}
}

// cancelReader cancels a context once after bytes have been read.
type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
	after  int
	read   int
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read > c.after {
		c.cancel()
	}
	return n, err
}

func TestSeparateTooLong(t *testing.T) {
	defer func(s float64) { MaxSeconds = s }(MaxSeconds)
	MaxSeconds = 1
	wav, _ := noiseWAV(8000, 2, 8001)
	for name, wav := range map[string][]byte{"declared": wav, "undeclared": unknownLength(wav)} {
		stems := memStems{}
		err := Separate(context.Background(), bytes.NewReader(wav), "2stems", 0, "wav", stems.open, nil)
		if !errors.Is(err, ErrTooLong) || !errors.Is(err, dsp.ErrInvalid) {
			t.Errorf("%s: error %v, want ErrTooLong and dsp.ErrInvalid", name, err)
		}
		if len(stems) != 0 {
			t.Errorf("%s: opened %d stems", name, len(stems))
		}
	}
	ok, _ := noiseWAV(8000, 2, 8000)
	separate(t, ok, "2stems")
}

func TestSeparateMalformed(t *testing.T) {
	wav, _ := noiseWAV(8000, 1, 20000)
	for name, input := range map[string][]byte{
		"empty":     nil,
		"not a WAV": []byte("ID3\x04 this is not a WAV file at all"),
		"truncated": wav[:len(wav)-1000],
		"header":    wav[:30],
	} {
		err := Separate(context.Background(), bytes.NewReader(input), "4stems", 0, "wav", memStems{}.open, nil)
		if !errors.Is(err, dsp.ErrInvalid) {
			t.Errorf("%s: error %v, want dsp.ErrInvalid", name, err)
		}
	}
}

// failingStem fails its writes after n bytes.
type failingStem struct {
	n      int
	closed *bool
}

var errDisk = errors.New("disk full")

func (f *failingStem) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errDisk
	}
	f.n -= len(p)
	return len(p), nil
}

func (f *failingStem) Close() error {
	*f.closed = true
	return nil
}

func TestSeparateWriterErrors(t *testing.T) {
	wav, _ := noiseWAV(8000, 1, 20000)
	for _, limit := range []int{0, 10000} {
		closed := map[string]*bool{}
		open := func(name string) (io.WriteCloser, error) {
			closed[name] = new(bool)
			n := math.MaxInt
			if name == "bass" {
				n = limit
			}
			return &failingStem{n: n, closed: closed[name]}, nil
		}
		if err := Separate(context.Background(), bytes.NewReader(wav), "4stems", 0, "wav", open, nil); !errors.Is(err, errDisk) {
			t.Errorf("write failing after %d bytes: error %v, want errDisk", limit, err)
		}
		for name, c := range closed {
			if !*c {
				t.Errorf("stem %s not closed", name)
			}
		}
	}

	var opened []*memStem
	open := func(name string) (io.WriteCloser, error) {
		if name == "bass" {
			return nil, errDisk
		}
		w := &memStem{}
		opened = append(opened, w)
		return w, nil
	}
	if err := Separate(context.Background(), bytes.NewReader(wav), "4stems", 0, "wav", open, nil); !errors.Is(err, errDisk) {
		t.Errorf("open failing: error %v, want errDisk", err)
	}
	for _, w := range opened {
		if !w.closed {
			t.Error("a stem opened before the failing one was not closed")
		}
	}
}

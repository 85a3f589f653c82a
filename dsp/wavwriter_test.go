package dsp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// What the writer writes, the decoder reads back sample for sample: the
// scaling is the decoder's inverse, and clipping holds the int16 range.
func TestWAVWriterRoundTrip(t *testing.T) {
	in := []float32{0, 0.5, -0.5, 1.0 / 32768, -1, 32767.0 / 32768, 2, -2}
	want := []float32{0, 0.5, -0.5, 1.0 / 32768, -1, 32767.0 / 32768, 32767.0 / 32768, -1}
	path := filepath.Join(t.TempDir(), "out.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 22050, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(in); i += 4 { // several writes, like a decoder loop
		if err := w.Write(in[i : i+4]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != RF64HeaderSize+2*len(in) || !bytes.Equal(raw[:RF64HeaderSize], header(22050, 2, 16, int64(len(in)/2), formRIFFJunk)) {
		t.Fatalf("file of %d bytes, header %x", len(raw), raw[:RF64HeaderSize])
	}
	r, err := NewWAVReader(bytes.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Format(); f.SampleRate != 22050 || f.Channels != 2 || f.BitDepth != 16 || f.Frames != int64(len(in)/2) {
		t.Fatalf("format %+v", f)
	}
	got := make([]float32, 16)
	n, err := r.Read(got)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	for i := range want {
		if i >= n || got[i] != want[i] {
			t.Fatalf("samples %v, want %v", got[:n], want)
		}
	}
}

func TestWAVWriterRefusesHalfFramesAndBadFormats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWAVWriter(f, 8000, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]float32{0.1, 0.2, 0.3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("a frame cut in half was accepted")
	}
	if _, err := NewWAVWriter(f, 0, 2, 16); err == nil {
		t.Error("a 0 Hz writer was accepted")
	}
	if _, err := NewWAVWriter(f, 8000, 2, 20); err == nil {
		t.Error("a 20-bit writer was accepted")
	}
	known, err := NewPCMWriter(io.Discard, 8000, 1, 24, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := known.WriteInts([]int32{1, 2, 3}); err == nil {
		t.Error("more frames than declared were accepted")
	}
	if err := known.WriteInts([]int32{1}); err != nil {
		t.Fatal(err)
	}
	if err := known.Close(); err == nil {
		t.Error("fewer frames than declared were accepted")
	}
}

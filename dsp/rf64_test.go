package dsp

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lowRIFFLimit lowers the RIFF size past which the writer switches to
// RF64, so a test reaches RF64 without 4 GiB of disk.
func lowRIFFLimit(t *testing.T, limit int64) {
	old := riffLimit
	riffLimit = limit
	t.Cleanup(func() { riffLimit = old })
}

// testSamples is a deterministic stereo signal of frames frames: a sine on
// the left, a ramp on the right, both within ±1.
func testSamples(frames int) []float32 {
	s := make([]float32, 2*frames)
	for i := range frames {
		s[2*i] = float32(0.8 * math.Sin(2*math.Pi*440*float64(i)/44100))
		s[2*i+1] = float32(i%200)/100 - 1
	}
	return s
}

// writeStreaming writes samples with a streaming writer into a file.
func writeStreaming(t *testing.T, path string, bits int, samples []float32) []byte {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWAVWriter(f, 44100, 2, bits)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(samples); i += 1000 {
		if err := w.Write(samples[i:min(i+1000, len(samples))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// writeKnown writes stereo samples at 44.1 kHz with a writer told their
// length up front.
func writeKnown(t *testing.T, bits int, samples []float32) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewPCMWriter(&out, 44100, 2, bits, int64(len(samples)/2))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(samples); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// ffmpegRaw decodes path with ffmpeg to raw little-endian PCM of bits bits.
func ffmpegRaw(t *testing.T, path string, bits int) []byte {
	t.Helper()
	format := "s" + strconv.Itoa(bits) + "le"
	out, err := exec.Command(ffmpegPath(t), "-v", "error", "-i", path, "-f", format, "-c:a", "pcm_"+format, "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg reading %s: %v", path, err)
	}
	return out
}

// ffprobeFrames is the stream's length in frames as ffprobe reads it.
func ffprobeFrames(t *testing.T, path string) int64 {
	t.Helper()
	out, err := exec.Command(peer(t, "ffprobe"), "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=duration_ts",
		"-of", "default=nw=1:nk=1", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("ffprobe %s: %q", path, out)
	}
	return n
}

// readAllSamples decodes a whole WAV with this package's reader.
func readAllSamples(t *testing.T, r io.Reader) (Format, []float32) {
	t.Helper()
	wr, err := NewWAVReader(r, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	buf := make([]float32, 1024)
	for {
		n, err := wr.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return wr.Format(), out
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// Past the RIFF limit (lowered here from 4 GiB) both writers write RF64
// with a ds64 chunk; below it the streaming writer's reserved JUNK chunk
// stays. ffprobe and ffmpeg read every file we write, to the same samples
// as our reader.
func TestWAVWriterWritesRF64(t *testing.T) {
	const frames = 3000
	samples := testSamples(frames)
	for _, bits := range []int{16, 24} {
		data := int64(frames * 2 * bits / 8)
		for _, c := range []struct {
			name  string
			limit int64
			form  string
		}{{"under the limit", data + RF64HeaderSize, "RIFF"}, {"over the limit", data, "RF64"}} {
			t.Run(strconv.Itoa(bits)+" bits "+c.name, func(t *testing.T) {
				lowRIFFLimit(t, c.limit)
				path := filepath.Join(t.TempDir(), "out.wav")
				raw := writeStreaming(t, path, bits, samples)
				if int64(len(raw)) != RF64HeaderSize+data || string(raw[:4]) != c.form {
					t.Fatalf("%d bytes, form %q; want %d bytes of %s", len(raw), raw[:4], RF64HeaderSize+data, c.form)
				}
				le := binary.LittleEndian
				if c.form == "RF64" {
					if string(raw[12:16]) != "ds64" || le.Uint32(raw[4:]) != sizeUnknown32 || le.Uint32(raw[RF64HeaderSize-4:]) != sizeUnknown32 ||
						le.Uint64(raw[20:]) != uint64(len(raw)-8) || le.Uint64(raw[28:]) != uint64(data) || le.Uint64(raw[36:]) != frames {
						t.Errorf("RF64 header %x", raw[:RF64HeaderSize])
					}
				} else if string(raw[12:16]) != "JUNK" || le.Uint32(raw[4:]) != uint32(len(raw)-8) {
					t.Errorf("RIFF header %x", raw[:RF64HeaderSize])
				}
				// A writer told the length up front writes the same RF64 (a
				// canonical 44-byte RIFF header under the limit).
				known := writeKnown(t, bits, samples)
				if c.form == "RF64" && !bytes.Equal(known, raw) {
					t.Error("the known-length RF64 differs from the streamed one")
				} else if c.form == "RIFF" && !bytes.Equal(known, append(PCMHeader(44100, 2, bits, frames), raw[RF64HeaderSize:]...)) {
					t.Error("the known-length WAV is not the canonical header and the same samples")
				}

				if got := ffprobeFrames(t, path); got != frames {
					t.Errorf("ffprobe reads %d frames, want %d", got, frames)
				}
				if pcm := ffmpegRaw(t, path, bits); !bytes.Equal(pcm, raw[RF64HeaderSize:]) {
					t.Errorf("ffmpeg decodes %d bytes, not the %d written", len(pcm), data)
				}
				f, got := readAllSamples(t, bytes.NewReader(raw))
				if f.Frames != frames || f.BitDepth != bits || len(got) != len(samples) {
					t.Fatalf("read %+v, %d samples", f, len(got))
				}
				for i := range samples {
					if d := math.Abs(float64(got[i] - samples[i])); d > 1.0/float64(int(1)<<(bits-1)) {
						t.Fatalf("sample %d reads %v, wrote %v", i, got[i], samples[i])
					}
				}
			})
		}
	}
}

// What ffmpeg writes as RF64 (-rf64 always), to a file and to a pipe where
// it cannot fill in the ds64 sizes, our reader reads to the samples ffmpeg
// itself decodes.
func TestWAVReaderReadsFFmpegRF64(t *testing.T) {
	ff := ffmpegPath(t)
	dir := t.TempDir()
	for _, bits := range []int{16, 24} {
		codec := "pcm_s" + strconv.Itoa(bits) + "le"
		path := filepath.Join(dir, codec+".wav")
		gen := []string{"-v", "error", "-f", "lavfi", "-i", "sine=f=330:r=44100:d=0.5", "-ac", "2", "-c:a", codec, "-rf64", "always"}
		if out, err := exec.Command(ff, append(gen, path)...).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		piped, err := exec.Command(ff, append(gen, "-f", "wav", "pipe:1")...).Output()
		if err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := ffmpegRaw(t, path, bits)
		for name, raw := range map[string][]byte{"file": file, "pipe": piped} {
			if string(raw[:4]) != "RF64" {
				t.Fatalf("%s: ffmpeg wrote %q, not RF64", name, raw[:4])
			}
			f, got := readAllSamples(t, bytes.NewReader(raw))
			if f.BitDepth != bits || f.Channels != 2 || len(got) != len(want)/(bits/8) {
				t.Fatalf("%s %d bits: read %+v, %d samples; ffmpeg decodes %d", name, bits, f, len(got), len(want)/(bits/8))
			}
			if name == "file" && f.Frames != 22050 {
				t.Errorf("file: %d frames declared, want 22050", f.Frames)
			}
			if back := writeKnown(t, bits, got); !bytes.Equal(back[len(PCMHeader(44100, 2, bits, int64(len(got)/2))):], want) {
				t.Errorf("%s %d bits: our samples differ from ffmpeg's", name, bits)
			}
		}
	}
}

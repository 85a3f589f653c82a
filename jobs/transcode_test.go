package jobs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phonoglyph/dsp"
	"phonoglyph/wavtest"
)

// flacDeclaring is the head of a FLAC stream whose STREAMINFO declares
// frames frames at rate Hz in channels 16-bit channels: what a tiny file of
// long silence declares (a 0.6 MB FLAC of 1500 s at 192 kHz, 8 channels).
func flacDeclaring(rate, channels int, frames uint64) []byte {
	var b bytes.Buffer
	b.WriteString("fLaC")
	b.Write([]byte{0x80, 0, 0, 34}) // last metadata block: STREAMINFO, 34 bytes
	_ = binary.Write(&b, binary.BigEndian, []uint16{4096, 4096})
	b.Write([]byte{0, 0, 0, 0, 0, 0}) // frame sizes unknown
	// 20 bits rate, 3 bits channels-1, 5 bits bits-per-sample-1, 36 bits frames.
	v := uint64(rate)<<44 | uint64(channels-1)<<41 | uint64(15)<<36 | frames&(1<<36-1)
	_ = binary.Write(&b, binary.BigEndian, v)
	b.Write(make([]byte, 16)) // MD5 unknown
	return b.Bytes()
}

// A long FLAC used to be transcoded into a temp WAV whose 32-bit size
// wrapped, the separation completing with truncated stems. Beyond 4 GiB
// the WAV is RF64 now (dsp.WAVWriter), so what bounds it is the duration
// cap and the worker's temp budget: past either it is refused from what it
// declares, before any byte is written.
func TestTranscodeRefusesBeforeWriting(t *testing.T) {
	long := flacDeclaring(192000, 8, 1500*192000) // a 4.6 GB WAV
	for _, c := range []struct {
		name string
		lim  dsp.Limits
		temp *TempDir
		want string
	}{
		{"over MAX_AUDIO_SECONDS", dsp.Limits{MaxSeconds: 600}, nil, "declares 1500.0 s of audio; the limit is 600 s"},
		{"over WORKER_TEMP_BUDGET", dsp.Limits{MaxSeconds: 3600}, &TempDir{budget: 8 << 30}, "too large to prepare for separation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "source.wav")
			_, err := transcodeWAV(bytes.NewReader(long), "long.flac", path, c.lim, c.temp, 4)
			// A refusal: a Fail, or dsp.ErrInvalid that the stem job turns into one.
			if !(errors.As(err, new(*failure)) || errors.Is(err, dsp.ErrInvalid)) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a refusal saying %q", err, c.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a temp WAV was written: %v", err)
			}
		})
	}
}

// A worker's temp budget refuses a file larger than the whole budget for
// good, and one that fits only once other jobs released theirs for now.
func TestTempBudget(t *testing.T) {
	temp := &TempDir{budget: 1000}
	if _, err := temp.Reserve(1001); !errors.As(err, new(*failure)) {
		t.Fatalf("over the budget: %v, want a failure", err)
	}
	release, err := temp.Reserve(600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := temp.Reserve(600); err == nil || errors.As(err, new(*failure)) {
		t.Fatalf("budget in use: %v, want a retryable error", err)
	}
	release()
	release() // once only
	if _, err := temp.Reserve(1000); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// The temp WAV is the size reserved for it (wavBytes: the streaming
// writer's header has room for RF64's ds64 chunk) and reads back whole.
func TestTranscodeWritesWhatItReserves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "source.wav")
	temp := &TempDir{budget: 1 << 30}
	release, err := transcodeWAV(bytes.NewReader(wavtest.Sine(22050, 2, 1, 440, 0.5)), "song.wav", path, dsp.Limits{}, temp, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) != wavBytes(22050, 2) || temp.reserved != wavBytes(22050, 2) {
		t.Errorf("temp WAV of %d bytes, %d reserved; want %d", len(raw), temp.reserved, wavBytes(22050, 2))
	}
	r, err := dsp.NewWAVReader(bytes.NewReader(raw), dsp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Format(); f.Frames != 22050 || f.Channels != 2 || f.SampleRate != 22050 {
		t.Errorf("temp WAV reads as %+v", f)
	}
}

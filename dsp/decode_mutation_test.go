package dsp

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDecoderMutations decodes 1500 randomly corrupted MP3/FLAC/Ogg seeds
// with a 3 s watchdog per input: no escaped panic, no hang, errors wrap
// ErrInvalid. (The mutation fuzzers run the same check without a watchdog.)
func TestDecoderMutations(t *testing.T) {
	withoutFFmpeg(t)
	rng := rand.New(rand.NewPCG(1, 1))
	seeds := seedFiles(t, ".mp3", ".flac", ".ogg")
	for i := 0; i < 1500; i++ {
		s := append([]byte(nil), seeds[i%len(seeds)]...)
		for k := 0; k < 1+rng.IntN(8); k++ {
			s[rng.IntN(len(s))] = byte(rng.IntN(256))
		}
		done := make(chan struct{})
		go func() { fuzzDecode(t, s, "x"); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			os.WriteFile(filepath.Join(t.TempDir(), "hang.bin"), s, 0o644)
			t.Fatalf("hang on input %d (seed %d)", i, i%len(seeds))
		}
	}
}

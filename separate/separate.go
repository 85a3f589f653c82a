// Package separate is the local stem separator: a native, deterministic
// stand-in for Spleeter that writes the same stems (see Stems) from a WAV.
//
// Each STFT bin (periodic Hann frames of ~46 ms, 75% overlap) is split by soft
// masks that sum to 1 (details on masker):
//
//   - drums and bass: the shares a small learned model gives them (see
//     maskModel: a convolutional network over 0.73 s of frames, reading the
//     power and stereo width of 64 bands, trained on General MIDI
//     arrangements rendered with several soundfonts and on synthetic tones;
//     weights in mask.bin, recipe in scripts/bench-separate);
//   - vocals: of the rest, the harmonic part (median-filter
//     harmonic/percussive separation: steady over 0.3 s) above a 150–300 Hz
//     crossover, weighted by how centred the bin is (mid energy against side
//     energy across the channels);
//   - piano (5stems): the rest of that harmonic part below a 1.5–3 kHz
//     crossover;
//   - other / accompaniment: whatever the other masks leave.
//
// Every channel is masked with the same masks. Mono input has no side energy,
// so its vocals take all the harmonic rest above the bass band. The stems
// sum back to the input up to 16-bit rounding (and clipping, if a stem
// exceeds full scale); at another output rate they sum back to the
// resampled input; mp3 stems only approximately.
//
// # Memory
//
// Separation streams: it keeps 0.73 s of spectra and writes every stem as it
// goes, whatever the length: about 8 MB of resident memory for 44.1 kHz
// stereo, for 3 minutes as for 15 (BENCHMARKS.md). Only a WAV whose header
// does not declare its length (streaming writers) is first decoded into
// memory, since the stem headers need the length: 4 bytes per sample more
// (318 MB for 15 minutes of 44.1 kHz stereo).
package separate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"phonoglyph/dsp"
)

// MaxSeconds is the longest input Separate accepts, in seconds (15 minutes).
// Set it before separating; it must be positive.
var MaxSeconds = 15 * 60.0

// ErrTooLong is wrapped, together with dsp.ErrInvalid, by the error for an
// input longer than MaxSeconds: errors.Is(err, dsp.ErrInvalid) tells the
// caller the failure is permanent.
var ErrTooLong = errors.New("audio too long to separate")

// ErrUnknownVariant is wrapped by the error for a variant Stems does not know.
var ErrUnknownVariant = errors.New("unknown separation variant")

// variant lists the stems of a Spleeter model variant: the masked ones, then
// the residual one.
type variant struct {
	names []string // stem names; the last is the residual
	parts []part   // masks of names[:len(names)-1]
}

// variants are the variants Separate knows, by name.
var variants = map[string]variant{
	"2stems": {[]string{"vocals", "accompaniment"}, []part{partVocals}},
	"4stems": {[]string{"vocals", "drums", "bass", "other"}, []part{partVocals, partDrums, partBass}},
	"5stems": {[]string{"vocals", "drums", "bass", "piano", "other"}, []part{partVocals, partDrums, partBass, partPiano}},
}

// Stems returns the stem names of a variant, Spleeter's names, in this order:
// "2stems" vocals, accompaniment; "4stems" vocals, drums, bass, other;
// "5stems" vocals, drums, bass, piano, other. An unknown variant is an error
// wrapping ErrUnknownVariant.
func Stems(variant string) ([]string, error) {
	v, err := lookup(variant)
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.names), nil
}

// lookup returns the variant called name.
func lookup(name string) (variant, error) {
	v, ok := variants[name]
	if !ok {
		return variant{}, fmt.Errorf("%w %q: want 2stems, 4stems or 5stems", ErrUnknownVariant, name)
	}
	return v, nil
}

// Separate reads a WAV from r (any rate and channel count dsp.NewWAVReader
// accepts) and writes one file per stem of variant (see Stems) to the
// writer open(stem) returns, as long as the input and with its channels:
// at rate Hz (0: the input's rate; another rate is reached by resampling
// the input first), in format "wav" (16-bit PCM; "" too) or "mp3" (192 kb/s
// through ffmpeg, stereo at most, at an MP3 rate). progress, when not nil,
// is called with 0 at the start, with the fraction done after each chunk of
// about 0.2 s, and with 1 once every stem is written and closed.
//
// Separate closes every writer it opened, also when it fails; after an error
// the stems are incomplete and must be discarded. The context is checked
// between chunks: once it is done Separate returns ctx.Err() as is. Errors
// caused by the input wrap dsp.ErrInvalid (an input longer than MaxSeconds
// also wraps ErrTooLong); a format or rate it does not write wraps
// ErrFormat, mp3 without ffmpeg ErrNeedFFmpeg; errors of r, open and the
// writers are wrapped as they are. The output depends only on the input.
func Separate(ctx context.Context, r io.Reader, variant string, rate int, format string,
	open func(stem string) (io.WriteCloser, error), progress func(float64)) error {
	v, err := lookup(variant)
	if err != nil {
		return err
	}
	if rate != 0 && (rate < minRate || rate > maxRate) {
		return fmt.Errorf("separate: %w: %d Hz (from %d to %d Hz)", ErrFormat, rate, minRate, maxRate)
	}
	if progress == nil {
		progress = func(float64) {}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The decoder's own cap lies above ours so that ours, which wraps
	// ErrTooLong, is the one that refuses.
	dec, err := dsp.NewWAVReader(r, dsp.Limits{MaxSeconds: MaxSeconds + 1})
	if err != nil {
		return fmt.Errorf("separate: %w", err)
	}
	f := dec.Format()
	if rate == 0 {
		rate = f.SampleRate
	}
	encoder, err := checkOutput(format, rate)
	if err != nil {
		return err
	}
	limit := maxFrames(f)
	src, frames := dec.Read, f.Frames
	if frames < 0 {
		blocks, n, err := readAll(ctx, dec, f, limit)
		if err != nil {
			return err
		}
		src, frames = blockSource(blocks), n
	}
	if frames > limit {
		return tooLong(f, frames, limit)
	}
	if rate != f.SampleRate {
		n := resampledFrames(frames, f.SampleRate, rate)
		src, frames = newResampler(src, f.Channels, f.SampleRate, rate, n).Read, n
		f.SampleRate = rate
	}

	model, err := theModel()
	if err != nil {
		return err
	}
	ws, err := openAll(ctx, v.names, open, encoder, f.Channels)
	if err != nil {
		return err
	}
	progress(0)
	err = newPipeline(f, frames, v, model).run(ctx, src, ws, progress)
	for i, w := range ws {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("separate: closing stem %s: %w", v.names[i], cerr)
		}
	}
	if err != nil {
		return err
	}
	progress(1)
	return nil
}

// The output rates Separate writes.
const minRate, maxRate = 8000, 192000

// maxFrames returns how many frames of f Separate accepts: MaxSeconds (a
// stem beyond 4 GiB is written as RF64).
func maxFrames(f dsp.Format) int64 {
	return int64(MaxSeconds * float64(f.SampleRate))
}

// tooLong returns the error for an input of frames frames over limit.
func tooLong(f dsp.Format, frames, limit int64) error {
	rate := float64(f.SampleRate)
	return fmt.Errorf("separate: %w: %w: %.1f s of audio, at most %.1f s are separated",
		dsp.ErrInvalid, ErrTooLong, float64(frames)/rate, float64(limit)/rate)
}

// readAll decodes a WAV of undeclared length into memory, in blocks so that
// no copy is made as it grows, refusing it once it is longer than limit
// frames. It returns the blocks and the length in frames.
func readAll(ctx context.Context, dec *dsp.WAVReader, f dsp.Format, limit int64) ([][]float32, int64, error) {
	const blockFrames = 1 << 14
	var (
		blocks [][]float32
		frames int64
	)
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		buf := make([]float32, blockFrames*f.Channels)
		n, err := readFull(dec.Read, buf)
		if err != nil {
			return nil, 0, fmt.Errorf("separate: %w", err)
		}
		if n > 0 {
			blocks = append(blocks, buf[:n])
		}
		if frames += int64(n / f.Channels); frames > limit {
			return nil, 0, tooLong(f, frames, limit)
		}
		if n < len(buf) {
			return blocks, frames, nil
		}
	}
}

// blockSource returns a reader of the samples in blocks with the contract of
// dsp.WAVReader.Read.
func blockSource(blocks [][]float32) func([]float32) (int, error) {
	return func(dst []float32) (int, error) {
		if len(blocks) == 0 {
			return 0, io.EOF
		}
		n := copy(dst, blocks[0])
		if blocks[0] = blocks[0][n:]; len(blocks[0]) == 0 {
			blocks = blocks[1:]
		}
		return n, nil
	}
}

// openAll opens a writer per stem, through an mp3 encoder when encoder (an
// ffmpeg binary) is set; on failure it closes those already open.
func openAll(ctx context.Context, names []string, open func(string) (io.WriteCloser, error), encoder string, channels int) ([]io.WriteCloser, error) {
	ws := make([]io.WriteCloser, 0, len(names))
	for _, name := range names {
		w, err := open(name)
		if err == nil && encoder != "" {
			var e *mp3Encoder
			if e, err = newMP3Encoder(ctx, encoder, channels, w); err != nil {
				_ = w.Close() // the encoder's error is the one reported
			} else {
				w = e
			}
		}
		if err != nil {
			for _, w := range ws {
				_ = w.Close() // the open error is the one reported
			}
			return nil, fmt.Errorf("separate: opening stem %s: %w", name, err)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

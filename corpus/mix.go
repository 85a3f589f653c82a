package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"phonoglyph/dsp"
)

// full24 is the largest 24-bit sample.
const full24 = 1<<23 - 1

// stemReader streams one rendered stem; a missing stem reads as silence.
type stemReader struct {
	f   *os.File
	r   *dsp.WAVReader
	eof bool
}

func openStem(path string) (*stemReader, error) {
	if path == "" {
		return &stemReader{eof: true}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := dsp.NewWAVReader(bufio.NewReaderSize(f, 1<<16), dsp.Limits{MaxSeconds: 4 * 3600})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ft := r.Format(); ft.SampleRate != SampleRate || ft.Channels != 2 {
		f.Close()
		return nil, fmt.Errorf("%s: rendered %d Hz %d channels, want %d Hz stereo", path, ft.SampleRate, ft.Channels, SampleRate)
	}
	return &stemReader{f: f, r: r}, nil
}

// read fills dst (interleaved stereo) and zero-pads after the end.
func (s *stemReader) read(dst []float32) error {
	n := 0
	for !s.eof && n < len(dst) {
		k, err := s.r.Read(dst[n:])
		n += k
		if errors.Is(err, io.EOF) {
			s.eof = true
		} else if err != nil {
			return err
		}
	}
	clear(dst[n:])
	return nil
}

func (s *stemReader) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// mixStats is what the first pass learns.
type mixStats struct {
	frames  int64
	sumPeak float64
	maxStem float64
}

// forEachBlock streams the stems in lockstep, calling fn with each block
// of every stem (interleaved stereo), until every stem has ended.
func forEachBlock(paths []string, fn func(blocks [][]float32) error) error {
	readers := make([]*stemReader, len(paths))
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.close()
			}
		}
	}()
	for i, p := range paths {
		r, err := openStem(p)
		if err != nil {
			return err
		}
		readers[i] = r
	}
	blocks := make([][]float32, len(paths))
	for i := range blocks {
		blocks[i] = make([]float32, 2*4096)
	}
	for {
		done := true
		for _, r := range readers {
			done = done && r.eof
		}
		if done {
			return nil
		}
		for i, r := range readers {
			if err := r.read(blocks[i]); err != nil {
				return err
			}
		}
		if err := fn(blocks); err != nil {
			return err
		}
	}
}

// measure is the first pass: length, the peak of the sum and the largest
// stem peak.
func measure(paths []string) (mixStats, error) {
	var st mixStats
	err := forEachBlock(paths, func(blocks [][]float32) error {
		st.frames += int64(len(blocks[0]) / 2)
		for j := range blocks[0] {
			sum := 0.0
			for _, b := range blocks {
				v := float64(b[j])
				sum += v
				st.maxStem = math.Max(st.maxStem, math.Abs(v))
			}
			st.sumPeak = math.Max(st.sumPeak, math.Abs(sum))
		}
		return nil
	})
	return st, err
}

// writeStemsAndMix is the second pass: every stem is scaled by gain and
// quantised to 24 bits, and the mix is the integer sum of the quantised
// stems, so mix == Σ stems exactly. Trailing frames beyond frames are
// dropped (the padding of the last block).
func writeStemsAndMix(paths, outs []string, mixPath string, gain float64, frames int64) error {
	writers := make([]*wav24, len(outs))
	for i, p := range outs {
		w, err := createWAV24(p, frames)
		if err != nil {
			return err
		}
		writers[i] = w
	}
	mix, err := createWAV24(mixPath, frames)
	if err != nil {
		return err
	}
	written := int64(0)
	q := make([]int32, len(outs))
	err = forEachBlock(paths, func(blocks [][]float32) error {
		n := min(int64(len(blocks[0])/2), frames-written)
		for j := range int(2 * n) {
			var sum int32
			for i, b := range blocks {
				q[i] = int32(math.Round(math.Max(-full24, math.Min(full24, gain*float64(b[j])*full24))))
				if err := writers[i].put(q[i]); err != nil {
					return err
				}
				sum += q[i]
			}
			if sum > full24 || sum < -full24 {
				return fmt.Errorf("corpus: mix overflows 24 bits at gain %v", gain)
			}
			if err := mix.put(sum); err != nil {
				return err
			}
		}
		written += n
		return nil
	})
	for _, w := range append(writers, mix) {
		err = errors.Join(err, w.close())
	}
	return err
}

// wav24 writes a 24-bit PCM stereo WAV of a known length, through the one
// WAV writer (dsp.NewPCMWriter: canonical header, RF64 past 4 GiB), a
// block of samples at a time.
type wav24 struct {
	f   *os.File
	w   *dsp.WAVWriter
	buf []int32
}

func createWAV24(path string, frames int64) (*wav24, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := dsp.NewPCMWriter(f, SampleRate, 2, 24, frames)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("corpus: %s: %w", path, err)
	}
	return &wav24{f: f, w: w, buf: make([]int32, 0, 1<<14)}, nil
}

// put appends one sample, already quantised to 24 bits.
func (w *wav24) put(v int32) error {
	w.buf = append(w.buf, v)
	if len(w.buf) < cap(w.buf) {
		return nil
	}
	return w.flush()
}

func (w *wav24) flush() error {
	err := w.w.WriteInts(w.buf)
	w.buf = w.buf[:0]
	return err
}

func (w *wav24) close() error {
	return errors.Join(w.flush(), w.w.Close(), w.f.Close())
}

package separate

import (
	"context"
	"fmt"
	"io"
	"math"

	"phonoglyph/dsp"
)

// chunkHops is how many hops are decoded, separated and written between two
// checks of the context (186 ms at 44.1 kHz).
const chunkHops = 16

// pipeline separates a stream frame by frame. Frame k covers the input
// samples [(k−3)·hop, (k−3)·hop+n), zero outside the input, so that every
// input sample is covered by four frames. The harmonic median needs half
// frames after the one it is for, so frame k−half is masked, resynthesised
// and its first hop written when frame k has been analysed.
type pipeline struct {
	st     *stft
	masks  *masker
	names  []string // stem names, the residual last
	parts  []part   // masks of the stems but the residual
	med    *timeMedian
	half   int   // frames of look-ahead of the time median
	rate   int   // sample rate in Hz
	frames int64 // input length in frames
	k      int64 // frames analysed
	done   int64 // frames written

	in   [][]float64   // per channel, the n samples of the frame being analysed
	ring []frame       // the last 2·half+1 frames, frame k at k mod len(ring)
	acc  [][][]float64 // per masked stem and channel, overlap-add of the next n output samples
	out  [][]byte      // per stem, 16-bit PCM not yet written

	harm, perc, scratch []float32    // per-bin medians, frequency median window
	spec                []complex128 // masked spectrum
}

// frame is one analysed STFT frame.
type frame struct {
	spec [][]complex128 // per channel
	head [][]float64    // per channel, its first hop of input samples
	mag  []float32      // per bin, √(Σ |X|²) over the channels
}

// newPipeline prepares the separation of frames frames of format f into the
// stems of v.
func newPipeline(f dsp.Format, frames int64, v variant) *pipeline {
	st := newSTFT(f.SampleRate)
	width := oddAtLeast3(harmonicSeconds * float64(f.SampleRate) / float64(st.hop))
	p := &pipeline{
		st:      st,
		masks:   newMasker(st.bins, st.n, f.SampleRate),
		names:   v.names,
		parts:   v.parts,
		med:     newTimeMedian(st.bins, width),
		half:    width / 2,
		rate:    f.SampleRate,
		frames:  frames,
		in:      make2D[float64](f.Channels, st.n),
		ring:    make([]frame, width),
		acc:     make([][][]float64, len(v.parts)),
		out:     make([][]byte, len(v.names)),
		harm:    make([]float32, st.bins),
		perc:    make([]float32, st.bins),
		scratch: make([]float32, oddAtLeast3(percussiveHz*float64(st.n)/float64(f.SampleRate))),
		spec:    make([]complex128, st.bins),
	}
	for i := range p.ring {
		p.ring[i] = frame{
			spec: make2D[complex128](f.Channels, st.bins),
			head: make2D[float64](f.Channels, st.hop),
			mag:  make([]float32, st.bins),
		}
	}
	for s := range p.acc {
		p.acc[s] = make2D[float64](f.Channels, st.n)
	}
	for s := range p.out {
		p.out[s] = make([]byte, 0, 2*chunkHops*st.hop*f.Channels)
	}
	return p
}

// make2D returns rows slices of cols zeros.
func make2D[T any](rows, cols int) [][]T {
	m := make([][]T, rows)
	for i := range m {
		m[i] = make([]T, cols)
	}
	return m
}

// run reads the input from src (interleaved, with the contract of
// dsp.WAVReader.Read), writes the WAV of every stem to ws (in the order of
// names) and reports progress after each chunk but the last.
func (p *pipeline) run(ctx context.Context, src func([]float32) (int, error), ws []io.WriteCloser, progress func(float64)) error {
	ch := len(p.in)
	for s, w := range ws {
		if _, err := w.Write(dsp.WAVHeader(p.rate, ch, p.frames)); err != nil {
			return fmt.Errorf("separate: writing stem %s: %w", p.names[s], err)
		}
	}
	hopLen := p.st.hop * ch
	buf := make([]float32, chunkHops*hopLen)
	for p.done < p.frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := readFull(src, buf)
		if err != nil {
			return fmt.Errorf("separate: %w", err)
		}
		clear(buf[n:])
		for h := 0; h < chunkHops && p.done < p.frames; h++ {
			p.step(buf[h*hopLen : (h+1)*hopLen])
		}
		for s, w := range ws {
			if _, err := w.Write(p.out[s]); err != nil {
				return fmt.Errorf("separate: writing stem %s: %w", p.names[s], err)
			}
			p.out[s] = p.out[s][:0]
		}
		if p.done < p.frames {
			progress(float64(p.done) / float64(p.frames))
		}
	}
	return nil
}

// readFull fills dst from src and returns how many samples it read: fewer
// than len(dst) only at the end of the input.
func readFull(src func([]float32) (int, error), dst []float32) (int, error) {
	n := 0
	for n < len(dst) {
		m, err := src(dst[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// step analyses the next frame, whose last hop of samples is x (interleaved,
// zeros past the end of the input), then masks, resynthesises and writes the
// frame half frames before it.
func (p *pipeline) step(x []float32) {
	st := p.st
	ch := len(p.in)
	cur := &p.ring[p.k%int64(len(p.ring))]
	for c, in := range p.in {
		copy(in, in[st.hop:])
		tail := in[st.n-st.hop:]
		for i := range tail {
			tail[i] = float64(x[i*ch+c])
		}
		copy(cur.head[c], in[:st.hop])
		st.analyze(cur.spec[c], in)
	}
	for b := range cur.mag {
		var e float64
		for _, s := range cur.spec {
			e += real(s[b])*real(s[b]) + imag(s[b])*imag(s[b])
		}
		v := float32(math.Sqrt(e))
		p.med.replace(b, cur.mag[b], v)
		cur.mag[b] = v
	}
	p.k++
	centre := p.k - 1 - int64(p.half)
	if centre < 0 {
		return
	}
	f := &p.ring[centre%int64(len(p.ring))]
	p.med.median(p.harm)
	freqMedian(p.perc, f.mag, p.scratch)
	p.masks.compute(f.spec, f.mag, p.harm, p.perc)
	for s, pt := range p.parts {
		mask := p.masks.masks[pt]
		for c, x := range f.spec {
			for b, v := range x {
				p.spec[b] = v * complex(mask[b], 0)
			}
			st.synthesize(p.acc[s][c], p.spec)
		}
	}
	if centre >= overlap-1 {
		p.emit(f.head)
	}
	for _, a := range p.acc {
		for _, c := range a {
			copy(c, c[st.hop:])
			clear(c[st.n-st.hop:])
		}
	}
}

// emit appends to the stems the first hop of the overlap-add buffers (up to
// the end of the input); the residual stem is the input head less the others.
func (p *pipeline) emit(head [][]float64) {
	count := min(int64(p.st.hop), p.frames-p.done)
	last := len(p.out) - 1
	for i := range count {
		for c, h := range head {
			rest := h[i]
			for s, a := range p.acc {
				v := a[c][i]
				rest -= v
				p.out[s] = dsp.AppendPCM16(p.out[s], v)
			}
			p.out[last] = dsp.AppendPCM16(p.out[last], rest)
		}
	}
	p.done += count
}

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
// input sample is covered by four frames. The mask model needs lag frames
// after a frame (its lookahead, and the harmonic median's half window), so
// frame k−lag is masked, resynthesised and its first hop written when frame
// k has been analysed.
type pipeline struct {
	st     *stft
	masks  *masker
	net    *net
	bands  *bandMap
	names  []string // stem names, the residual last
	parts  []part   // masks of the stems but the residual
	med    *timeMedian
	width  int   // frames of the time median
	half   int   // frames of look-ahead of the time median
	lag    int   // frames of look-ahead of the masks
	rate   int   // sample rate in Hz
	frames int64 // input length in frames
	k      int64 // frames analysed
	done   int64 // frames written

	in   [][]float64   // per channel, the n samples of the frame being analysed
	ring []frame       // the last lag+1 frames, frame k at k mod len(ring)
	acc  [][][]float64 // per masked stem and channel, overlap-add of the next n output samples
	out  [][]byte      // per stem, 16-bit PCM not yet written

	power, side []float32    // per bin, of the frame being analysed
	features    []float32    // the model's input for that frame
	scratch     []float32    // frequency median window
	spec        []complex128 // masked spectrum
}

// frame is one analysed STFT frame.
type frame struct {
	spec       [][]complex128 // per channel
	head       [][]float64    // per channel, its first hop of input samples
	mag        []float32      // per bin, √(Σ |X|²) over the channels
	harm, perc []float32      // per bin, the time and frequency medians of mag
	shares     []float32      // per model stem and band, the model's output
}

// newPipeline prepares the separation of frames frames of format f into the
// stems of v with the mask model m.
func newPipeline(f dsp.Format, frames int64, v variant, m *maskModel) *pipeline {
	st := newSTFT(f.SampleRate)
	width := oddAtLeast3(harmonicSeconds * float64(f.SampleRate) / float64(st.hop))
	p := &pipeline{
		st:       st,
		masks:    newMasker(st.bins, st.n, f.SampleRate),
		bands:    newBandMap(m, st.bins, st.n, f.SampleRate),
		names:    v.names,
		parts:    v.parts,
		med:      newTimeMedian(st.bins, width),
		width:    width,
		half:     width / 2,
		lag:      max(width/2, m.lookahead()),
		rate:     f.SampleRate,
		frames:   frames,
		in:       make2D[float64](f.Channels, st.n),
		acc:      make([][][]float64, len(v.parts)),
		out:      make([][]byte, len(v.names)),
		power:    make([]float32, st.bins),
		side:     make([]float32, st.bins),
		features: make([]float32, 2*m.bands),
		scratch:  make([]float32, oddAtLeast3(percussiveHz*float64(st.n)/float64(f.SampleRate))),
		spec:     make([]complex128, st.bins),
	}
	p.ring = make([]frame, max(p.lag, width)+1)
	for i := range p.ring {
		p.ring[i] = frame{
			spec:   make2D[complex128](f.Channels, st.bins),
			head:   make2D[float64](f.Channels, st.hop),
			mag:    make([]float32, st.bins),
			harm:   make([]float32, st.bins),
			perc:   make([]float32, st.bins),
			shares: make([]float32, 3*m.bands),
		}
	}
	p.net = newNet(m, func(j int64, shares []float32) {
		copy(p.ring[j%int64(len(p.ring))].shares, shares)
	})
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
// names) and reports progress after each chunk that wrote frames, but the last.
func (p *pipeline) run(ctx context.Context, src func([]float32) (int, error), ws []io.WriteCloser, progress func(float64)) error {
	ch := len(p.in)
	for s, w := range ws {
		if _, err := w.Write(dsp.WAVHeader(p.rate, ch, p.frames)); err != nil {
			return fmt.Errorf("separate: writing stem %s: %w", p.names[s], err)
		}
	}
	hopLen := p.st.hop * ch
	buf := make([]float32, chunkHops*hopLen)
	var reported int64
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
		if p.done < p.frames && p.done > reported { // none while the first frames wait for their look-ahead
			progress(float64(p.done) / float64(p.frames))
			reported = p.done
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
// frame lag frames before it.
func (p *pipeline) step(x []float32) {
	st := p.st
	ch := len(p.in)
	ring := int64(len(p.ring))
	cur := &p.ring[p.k%ring]
	for c, in := range p.in {
		copy(in, in[st.hop:])
		tail := in[st.n-st.hop:]
		for i := range tail {
			tail[i] = float64(x[i*ch+c])
		}
		copy(cur.head[c], in[:st.hop])
		st.analyze(cur.spec[c], in)
	}
	var leaving []float32 // the magnitudes leaving the time median, zeros at first
	if p.k >= int64(p.width) {
		leaving = p.ring[(p.k-int64(p.width))%ring].mag
	}
	inv := 1 / float64(ch)
	for b := range cur.mag {
		var e, re, im float64
		for _, s := range cur.spec {
			e += real(s[b])*real(s[b]) + imag(s[b])*imag(s[b])
			re += real(s[b])
			im += imag(s[b])
		}
		side := e - (re*re+im*im)*inv // Σ |X − mean|² over the channels
		v := float32(math.Sqrt(e))
		var old float32
		if leaving != nil {
			old = leaving[b]
		}
		p.med.replace(b, old, v)
		cur.mag[b] = v
		p.power[b], p.side[b] = float32(e*2*inv), float32(max(0, side)*2*inv)
	}
	p.net.push(p.modelFeatures())
	p.k++
	if h := p.k - 1 - int64(p.half); h >= 0 {
		f := &p.ring[h%ring]
		p.med.median(f.harm)
		freqMedian(f.perc, f.mag, p.scratch)
	}
	centre := p.k - 1 - int64(p.lag)
	if centre < 0 {
		return
	}
	f := &p.ring[centre%ring]
	p.masks.compute(f, p.bands)
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

// modelFeatures returns the model's input for the frame whose per-bin power
// and side energy were just computed: per band the normalised log power,
// then the side fraction.
func (p *pipeline) modelFeatures() []float32 {
	h := &p.net.m.hdr
	bands := p.net.m.bands
	pw, side := p.features[:bands], p.features[bands:]
	p.bands.pool(pw, p.power)
	p.bands.pool(side, p.side)
	for k := range pw {
		e := float64(pw[k]*p.bands.scale) + h.Floor
		side[k] = float32(min(1, float64(side[k]*p.bands.scale)/e))
		pw[k] = float32((math.Log(e) - h.Mu[k]) / h.Sigma[k])
	}
	return p.features
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

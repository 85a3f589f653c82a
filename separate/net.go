package separate

import "math"

// net runs the mask model over a stream of frames. The features of frame t
// go in with push; the shares of a frame come out (through emit) once the
// frames it depends on are in, lookahead frames later. Before the stream
// every layer sees zeros, as in training (zero padding of each
// convolution's input); the stream has no end: the pipeline pushes silent
// frames until it has the shares of the last frame it needs.
type net struct {
	m      *maskModel
	blocks []blockState
	emit   func(frame int64, shares []float32) // shares: per stem (drums, bass, rest) and band
	x, y   []float32                           // hidden-size scratch
	gather []float32                           // 3·hidden inputs of a block
	logits []float32                           // 3·bands
}

// blockState holds the recent inputs of one residual block.
type blockState struct {
	ring [][]float32 // inputs, frame j at j mod len(ring)
	have int64       // frames stored
	next int64       // frame whose output is computed next
	out  []float32   // its output, fed to the next block
}

// newNet prepares the model's stream; emit is called with the shares of
// every frame in order (the slice is reused after the call returns).
func newNet(m *maskModel, emit func(int64, []float32)) *net {
	h := m.hdr.Hidden
	n := &net{m: m, emit: emit, x: make([]float32, h), y: make([]float32, h),
		gather: make([]float32, 3*h), logits: make([]float32, 3*m.bands)}
	n.blocks = make([]blockState, len(m.blocks))
	for i, l := range m.blocks {
		n.blocks[i].ring = make2D[float32](2*l.dilation+1, h)
		n.blocks[i].out = make([]float32, h)
	}
	return n
}

// push adds the features (2·bands) of the next frame.
func (n *net) push(features []float32) {
	l := &n.m.in
	matVec(n.x, l.w, features)
	for i, b := range l.b {
		n.x[i] = max(0, n.x[i]+b)
	}
	n.feed(0, n.x)
}

// feed stores x as the next input of block i and computes what it can.
func (n *net) feed(i int, x []float32) {
	if i == len(n.blocks) {
		n.output(x)
		return
	}
	s := &n.blocks[i]
	copy(s.ring[s.have%int64(len(s.ring))], x)
	s.have++
	n.advance(i)
}

// advance computes the outputs of block i whose inputs are known.
func (n *net) advance(i int) {
	s, l := &n.blocks[i], &n.m.blocks[i]
	d := int64(l.dilation)
	h := l.in
	out := s.out
	for s.next+d < s.have {
		for k := range int64(3) {
			j := s.next + (k-1)*d
			dst := n.gather[k*int64(h) : (k+1)*int64(h)]
			if j < 0 {
				clear(dst)
			} else {
				copy(dst, s.ring[j%int64(len(s.ring))])
			}
		}
		matVec(n.y, l.w, n.gather)
		centre := n.gather[h : 2*h]
		for o, b := range l.b {
			out[o] = centre[o] + max(0, n.y[o]+b)
		}
		s.next++
		n.feed(i+1, out)
	}
}

// output turns the last block's output into shares and emits them.
func (n *net) output(x []float32) {
	l := &n.m.out
	matVec(n.logits, l.w, x)
	bands := n.m.bands
	for k := range bands {
		a, b, c := n.logits[k]+l.b[k], n.logits[bands+k]+l.b[bands+k], n.logits[2*bands+k]+l.b[2*bands+k]
		top := max(a, b, c)
		ea, eb, ec := exp32(a-top), exp32(b-top), exp32(c-top)
		inv := 1 / (ea + eb + ec)
		n.logits[k], n.logits[bands+k], n.logits[2*bands+k] = ea*inv, eb*inv, ec*inv
	}
	frame := n.blocks[len(n.blocks)-1].next - 1
	n.emit(frame, n.logits)
}

// exp32 is e^x for the softmax.
func exp32(x float32) float32 { return float32(math.Exp(float64(x))) }

// matVec sets dst[o] = Σᵢ w[o·len(x)+i]·x[i]. Rows go four at a time, so
// that each x[i] is loaded once for four of them (the net spends most of its
// time here).
func matVec(dst, w, x []float32) {
	n := len(x)
	o := 0
	for ; o+4 <= len(dst); o += 4 {
		r0, r1, r2, r3 := w[o*n:][:n], w[(o+1)*n:][:n], w[(o+2)*n:][:n], w[(o+3)*n:][:n]
		var s0, s1, s2, s3 float32
		for i := range r0 {
			v := x[i]
			s0 += r0[i] * v
			s1 += r1[i] * v
			s2 += r2[i] * v
			s3 += r3[i] * v
		}
		dst[o], dst[o+1], dst[o+2], dst[o+3] = s0, s1, s2, s3
	}
	for ; o < len(dst); o++ {
		row := w[o*n : o*n+n]
		var s float32
		for i, v := range x {
			s += row[i] * v
		}
		dst[o] = s
	}
}

package separate

import (
	_ "embed" // the mask model's weights
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// maskModelFile holds the weights of the mask model, trained by
// scripts/bench-separate/train.py (see BENCHMARKS.md for the recipe): the
// 8-byte magic "PGSEPMSK", a little-endian uint32 header length, a JSON
// header (modelHeader) and the float32 tensors it lists, in order.
//
//go:embed mask.bin
var maskModelFile []byte

// modelHeader describes the mask model.
type modelHeader struct {
	Version   int         `json:"version"`
	Rate      int         `json:"rate"`  // sample rate the model was trained at
	N         int         `json:"n"`     // STFT frame length at Rate: the separator's
	Hop       int         `json:"hop"`   // STFT hop at Rate: the separator's
	Edges     []int       `json:"edges"` // band edges in bins of the N-point STFT at Rate
	Floor     float64     `json:"floor"` // added to band powers
	Hidden    int         `json:"hidden"`
	Dilations []int       `json:"dilations"`
	Mu        []float64   `json:"mu"`    // per band, mean of the log power
	Sigma     []float64   `json:"sigma"` // per band, its deviation
	Stems     []string    `json:"stems"` // the model's outputs: drums, bass, other (the rest)
	Tensors   []tensorDef `json:"tensors"`
}

// tensorDef names a tensor of the file and its shape.
type tensorDef struct {
	Name  string
	Shape []int
}

// UnmarshalJSON reads a tensor as [name, shape].
func (t *tensorDef) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &[]any{&t.Name, &t.Shape})
}

// maskModel is the loaded mask model: per frame it maps 2·bands features
// (normalised log power and side fraction per band) to, per band, the
// shares of drums, bass and the rest (summing to 1). Its layers are
// convolutions over frames: in (1 tap), blocks (3 taps at their dilation,
// residual) and out (1 tap).
type maskModel struct {
	hdr    modelHeader
	bands  int
	in     layer
	blocks []layer
	out    layer
}

// layer is a convolution over frames: w is out × (taps·in), tap-major
// (the weight of input i at tap k is w[o·taps·in + k·in + i]), b the bias.
type layer struct {
	in, out, taps, dilation int
	w, b                    []float32
}

// lookahead returns how many frames after a frame the model reads before
// its masks are known.
func (m *maskModel) lookahead() int {
	n := 0
	for _, l := range m.blocks {
		n += l.dilation
	}
	return n
}

var (
	loadOnce  sync.Once
	loaded    *maskModel
	loadError error
)

// theModel returns the embedded model, parsed once.
func theModel() (*maskModel, error) {
	loadOnce.Do(func() { loaded, loadError = parseModel(maskModelFile) })
	return loaded, loadError
}

// errModel is wrapped by the errors of a malformed model file.
var errModel = errors.New("separate: malformed mask model")

// parseModel reads a model file.
func parseModel(b []byte) (*maskModel, error) {
	const magic = "PGSEPMSK"
	if len(b) < len(magic)+4 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad magic", errModel)
	}
	n := int(binary.LittleEndian.Uint32(b[len(magic):]))
	b = b[len(magic)+4:]
	if n > len(b) {
		return nil, fmt.Errorf("%w: header of %d bytes in %d", errModel, n, len(b))
	}
	m := &maskModel{}
	if err := json.Unmarshal(b[:n], &m.hdr); err != nil {
		return nil, fmt.Errorf("%w: %w", errModel, err)
	}
	b = b[n:]
	h := &m.hdr
	m.bands = len(h.Edges) - 1
	if h.Version != 1 || m.bands < 1 || h.Edges[0] != 0 || h.Edges[m.bands] != h.N/2+1 ||
		!slices.IsSorted(h.Edges) || len(h.Mu) != m.bands || len(h.Sigma) != m.bands || h.Rate <= 0 ||
		h.N != frameLen(h.Rate) || h.Hop != h.N/overlap || !slices.Equal(h.Stems, []string{"drums", "bass", "other"}) {
		return nil, fmt.Errorf("%w: inconsistent header", errModel)
	}
	tensors := map[string][]float32{}
	for _, t := range h.Tensors {
		size := 1
		for _, d := range t.Shape {
			if d <= 0 || d > 1<<20 {
				return nil, fmt.Errorf("%w: tensor %s of shape %v", errModel, t.Name, t.Shape)
			}
			size *= d
		}
		if 4*size > len(b) {
			return nil, fmt.Errorf("%w: tensor %s truncated", errModel, t.Name)
		}
		v := make([]float32, size)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		tensors[t.Name], b = v, b[4*size:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the tensors", errModel, len(b))
	}
	var err error
	get := func(name string, in, out, taps, dilation int) layer {
		w, bias := tensors[name+".weight"], tensors[name+".bias"]
		if len(w) != out*in*taps || len(bias) != out {
			err = fmt.Errorf("%w: layer %s has %d weights and %d biases, want %d and %d", errModel, name, len(w), len(bias), out*in*taps, out)
			return layer{}
		}
		// PyTorch's Conv1d weight is out × in × taps: reorder tap-major.
		tw := make([]float32, len(w))
		for o := range out {
			for i := range in {
				for k := range taps {
					tw[o*taps*in+k*in+i] = w[(o*in+i)*taps+k]
				}
			}
		}
		return layer{in: in, out: out, taps: taps, dilation: dilation, w: tw, b: bias}
	}
	m.in = get("inp", 2*m.bands, h.Hidden, 1, 1)
	for i, d := range h.Dilations {
		m.blocks = append(m.blocks, get(fmt.Sprintf("blocks.%d", i), h.Hidden, h.Hidden, 3, d))
	}
	m.out = get("out", h.Hidden, 3*m.bands, 1, 1)
	if err != nil {
		return nil, err
	}
	return m, nil
}

package separate

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"testing"
)

// TestNetMatchesTraining runs the embedded model over the features of
// testdata/net.bin, written by train.py --fixture from the same weights
// with PyTorch, and checks that every frame's shares match PyTorch's
// (frames near the end are left out: past the end PyTorch pads every
// layer's input with zeros, the stream feeds silent frames).
func TestNetMatchesTraining(t *testing.T) {
	b, err := os.ReadFile("testdata/net.bin")
	if err != nil {
		t.Fatal(err)
	}
	m, err := theModel()
	if err != nil {
		t.Fatal(err)
	}
	frames, bands := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
	if bands != m.bands || len(b) != 8+4*frames*5*bands {
		t.Fatalf("fixture of %d frames × %d bands, %d bytes, for a model of %d bands: rerun train.py --fixture", frames, bands, len(b), m.bands)
	}
	floats := func(off, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*i:]))
		}
		return v
	}
	features := floats(8, frames*2*bands)
	want := floats(8+4*frames*2*bands, frames*3*bands)
	got := make([][]float32, 0, frames)
	n := newNet(m, func(j int64, shares []float32) {
		if int(j) != len(got) {
			t.Fatalf("frame %d emitted after %d frames", j, len(got))
		}
		got = append(got, append([]float32(nil), shares...))
	})
	for j := range frames {
		n.push(features[j*2*bands : (j+1)*2*bands])
	}
	if len(got) != frames-m.lookahead() {
		t.Fatalf("%d frames emitted after %d pushed, want %d", len(got), frames, frames-m.lookahead())
	}
	var worst float64
	for j, s := range got {
		for i, v := range s {
			worst = max(worst, math.Abs(float64(v-want[j*3*bands+i])))
		}
	}
	if worst > 1e-4 {
		t.Errorf("shares differ from PyTorch's by up to %.2g", worst)
	}
}

// TestParseModelMalformed checks that damaged model files are refused with
// errModel rather than loaded or panicking.
func TestParseModelMalformed(t *testing.T) {
	good := maskModelFile
	hdrLen := int(binary.LittleEndian.Uint32(good[8:]))
	for name, b := range map[string][]byte{
		"empty":          nil,
		"bad magic":      append([]byte("XXXXXXXX"), good[8:]...),
		"long header":    append(append([]byte(nil), good[:8]...), 0xff, 0xff, 0xff, 0x7f),
		"truncated":      good[:len(good)-4],
		"trailing bytes": append(append([]byte(nil), good...), 0, 0, 0, 0),
		"bad JSON":       append(append(append([]byte(nil), good[:12]...), 'X'), good[13:]...),
		"header only":    good[:12+hdrLen],
	} {
		if _, err := parseModel(b); !errors.Is(err, errModel) {
			t.Errorf("%s: error %v, want errModel", name, err)
		}
	}
	if _, err := parseModel(good); err != nil {
		t.Fatalf("the embedded model: %v", err)
	}
}

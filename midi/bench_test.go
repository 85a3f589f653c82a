package midi

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkParse parses the biggest real sample file.
func BenchmarkParse(b *testing.B) {
	var big []byte
	for _, path := range sampleFiles(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(data) > len(big) {
			big = data
		}
	}
	b.SetBytes(int64(len(big)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(big), "bench.mid", Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

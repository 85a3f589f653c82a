package objectkey

import (
	"slices"
	"strings"
	"testing"
	"time"

	"phonoglyph"
)

// under reports whether key lies below one of prefixes (as a listing of
// prefix + "/" sees it).
func under(key string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p+"/") })
}

// The sweep lists only UploadPrefixes: every derived key must lie outside
// them and inside DerivedPrefixes, and every upload key inside them.
func TestSweepNeverListsDerivedObjects(t *testing.T) {
	user, id := "0b0e1c9e-7d0a-4f4e-9f47-3a1f64f3a0d2", "5d6c3a1e-2f3b-4c5d-8e9f-0a1b2c3d4e5f"
	job := &phonoglyph.StemJob{Job: phonoglyph.Job{ID: id}, UserID: user,
		Config: phonoglyph.StemConfig{ModelVariant: "4stems", Stems: map[phonoglyph.StemType]bool{phonoglyph.StemVocals: true, phonoglyph.StemBass: true},
			Quality: phonoglyph.StemQuality{OutputFormat: "wav"}}}
	derived := append(Stems(job), AnalysisData(user, id, phonoglyph.StemMaster, "2.0-native"), Thumbnail(id),
		Render(user, id), RenderAnalysis(user, id))
	if len(derived) != 6 {
		t.Fatalf("derived keys = %v", derived)
	}
	for _, k := range derived {
		if under(k, UploadPrefixes()) || !under(k, DerivedPrefixes()) {
			t.Errorf("derived key %s: under an upload prefix, or outside the derived ones", k)
		}
	}
	for _, kind := range phonoglyph.FileKinds {
		k := Upload(kind, user, "My Song (final).wav", time.UnixMilli(1700000000000))
		if !under(k, UploadPrefixes()) || under(k, DerivedPrefixes()) {
			t.Errorf("upload key %s outside the upload prefixes", k)
		}
	}
	for _, p := range DerivedPrefixes() {
		if slices.Contains(UploadPrefixes(), p) {
			t.Errorf("prefix %s is both an upload and a derived prefix", p)
		}
	}
}

func TestUploadKey(t *testing.T) {
	now := time.UnixMilli(1700000000000)
	a, b := Upload(phonoglyph.FileAudio, "u", "My Song (final).wav", now), Upload(phonoglyph.FileAudio, "u", "My Song (final).wav", now)
	if a == b || !strings.HasPrefix(a, "audio/u/1700000000000_") || !strings.HasSuffix(a, "_My_Song_final_.wav") {
		t.Errorf("keys %s and %s", a, b)
	}
	long := Upload(phonoglyph.FileAudio, "u", strings.Repeat("x", 300)+".wav", now)
	if name := long[strings.LastIndexByte(long, '_')+1:]; len(name) != maxName || !strings.HasSuffix(name, ".wav") {
		t.Errorf("long name kept as %q (%d bytes)", name, len(name))
	}
}

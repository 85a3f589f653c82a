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
	derived := append(Stems(job), SealedStem(user, id, phonoglyph.StemVocals, "wav"), ContentAnalysis(strings.Repeat("ab", 32), phonoglyph.StemMaster, "2.0-native", id),
		ContentThumbnail(strings.Repeat("ab", 32), phonoglyph.StemMaster, "2.0-native", id),
		Render(user, id), RenderAnalysis(user, id))
	if len(derived) != 7 {
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

// A sealed key is never an upload key, differs per completion attempt, keeps
// the extension and lies under its upload's kind prefix and sealed folder.
func TestSealedKey(t *testing.T) {
	up := Upload(phonoglyph.FileAudio, "u", "song.wav", time.UnixMilli(1700000000000))
	a, b := Sealed(up), Sealed(up)
	if a == b || !strings.HasPrefix(a, SealedPrefix(up)) || !strings.HasSuffix(a, ".wav") || !under(a, UploadPrefixes()) {
		t.Errorf("sealed keys %s and %s of %s (prefix %s)", a, b, up, SealedPrefix(up))
	}
	if strings.Count(up, "/") == strings.Count(a, "/") {
		t.Errorf("sealed key %s has an upload key's shape", a)
	}
	if other := Upload(phonoglyph.FileAudio, "u", "song.wav", time.UnixMilli(1700000000001)); strings.HasPrefix(Sealed(other), SealedPrefix(up)) {
		t.Error("two uploads share a sealed folder")
	}
}

// A sealed stem is never a stem's PUT target (the only stem key a URL is
// signed for), differs per attempt and keeps the format.
func TestSealedStemKey(t *testing.T) {
	a, b := SealedStem("u", "j", phonoglyph.StemVocals, "mp3"), SealedStem("u", "j", phonoglyph.StemVocals, "mp3")
	if a == b || !strings.HasSuffix(a, ".mp3") || !strings.HasPrefix(a, "stems/u/j/sealed/vocals-") {
		t.Errorf("sealed stem keys %s and %s", a, b)
	}
	for _, stem := range phonoglyph.StemTypes {
		for _, format := range []string{"wav", "mp3"} {
			if Stem("u", "j", stem, format) == a {
				t.Errorf("sealed stem %s is the PUT target of %s.%s", a, stem, format)
			}
		}
	}
}

// Every derived key names the row whose job writes it, so the sweep can ask
// whether that job still runs; an upload key names none.
func TestWriterOfDerivedKeys(t *testing.T) {
	user, row := "6f1c3c36-1d0e-4d55-9a55-8d2f4e0b6a11", "0b7c2f6e-8a1d-4c3b-9e5f-2a4d6c8e0f12"
	for _, key := range []string{
		Stem(user, row, phonoglyph.StemVocals, "wav"), SealedStem(user, row, phonoglyph.StemVocals, "mp3"), AnalysisData(user, row, phonoglyph.StemMaster, "2.0-native"),
		Thumbnail(row), Render(user, row), RenderAnalysis(user, row),
		ContentAnalysis(strings.Repeat("ab", 32), phonoglyph.StemMaster, "2.0-native", row),
		ContentThumbnail(strings.Repeat("ab", 32), phonoglyph.StemMaster, "2.0-native", row),
	} {
		if got, ok := Writer(key); !ok || got != row {
			t.Errorf("Writer(%q) = %q, %v; want %q", key, got, ok, row)
		}
	}
	if got, ok := Writer(Upload(phonoglyph.FileAudio, user, "song.wav", time.Now())); ok {
		t.Errorf("an upload key has writer %q", got)
	}
}

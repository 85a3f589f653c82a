// Package objectkey is the one layout of object keys in blob storage: where
// uploads, stems, analysis documents, thumbnails and rendered videos live.
// Every package that names an object asks this one. The layout has two
// disjoint halves: uploads, under one prefix per file kind, whose objects
// may exist before their rows commit (the browser PUTs them) and which the
// upload sweep therefore lists for objects no row names; and derived
// objects, which workers write only for rows that exist and which the sweep
// never touches. UploadPrefixes is the only list the sweep reads.
package objectkey

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"time"

	"phonoglyph"
	"phonoglyph/filetype"
)

// Top-level prefixes of derived objects; none of them is a file kind.
const (
	stemsPrefix      = "stems"
	analysisPrefix   = "analysis"
	thumbnailsPrefix = "thumbnails"
	rendersPrefix    = "renders"
)

// maxName bounds the name part of an upload key so its last path segment
// stays within common filesystem and object-store limits.
const maxName = 160

// Upload is where a declared upload goes. It follows the original layout
// {kind}/{user}/{ms}_{name}, with a random tag so two uploads of one name
// in the same millisecond differ; the name is made safe and a long one keeps
// its end, where the extension is.
func Upload(kind phonoglyph.FileKind, owner, name string, now time.Time) string {
	var tag [4]byte
	_, _ = rand.Read(tag[:]) // crypto/rand.Read never fails
	safe := filetype.SanitizeName(name)
	if len(safe) > maxName {
		safe = safe[len(safe)-maxName:]
	}
	return fmt.Sprintf("%s/%s/%d_%s_%s", kind, owner, now.UnixMilli(), hex.EncodeToString(tag[:]), safe)
}

// UploadPrefixes are the prefixes uploads land under, one per file kind:
// the only ones the sweep of abandoned uploads may list.
func UploadPrefixes() []string {
	out := make([]string, len(phonoglyph.FileKinds))
	for i, k := range phonoglyph.FileKinds {
		out[i] = string(k)
	}
	return out
}

// DerivedPrefixes are the prefixes of every object a worker derives.
func DerivedPrefixes() []string {
	return []string{stemsPrefix, analysisPrefix, thumbnailsPrefix, rendersPrefix}
}

// Stem is where a separation job writes one stem: under the owner, named by
// the job, so a retried or rescued job writes the same objects and never a
// second set.
func Stem(userID, jobID string, stem phonoglyph.StemType, format string) string {
	return path.Join(stemsPrefix, userID, jobID, string(stem)+"."+format)
}

// Stems are the objects a separation writes, one per wanted stem.
func Stems(j *phonoglyph.StemJob) []string {
	var keys []string
	for _, stem := range j.Config.WantedStems() {
		keys = append(keys, Stem(j.UserID, j.ID, stem, j.Config.Quality.OutputFormat))
	}
	return keys
}

// AnalysisData is where a file's per-frame analysis document lives: under
// its owner and file, so deleting the file frees it.
func AnalysisData(userID, fileID string, stem phonoglyph.StemType, version string) string {
	return path.Join(analysisPrefix, userID, fileID, string(stem)+"-"+version+".json")
}

// Thumbnail is a file's waveform thumbnail.
func Thumbnail(fileID string) string {
	return path.Join(thumbnailsPrefix, fileID+"_thumb.png")
}

// Render is where a render's MP4 is stored, under its owner.
func Render(userID, renderID string) string {
	return path.Join(rendersPrefix, userID, renderID+".mp4")
}

// RenderAnalysis is the analysis JSON a render reads while it runs.
func RenderAnalysis(userID, renderID string) string {
	return path.Join(analysisPrefix, userID, "renders", renderID+".json")
}

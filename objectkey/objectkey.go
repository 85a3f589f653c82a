// Package objectkey is the one layout of object keys in blob storage: where
// uploads, stems, analysis documents, thumbnails and rendered videos live.
// Every package that names an object asks this one. The layout has two
// disjoint halves: uploads, under one prefix per file kind, whose objects
// may exist before their rows commit (the browser PUTs them; completion
// seals a copy beside them, see Sealed); and derived objects, which workers
// write for a row (Writer names it). Stems written through presigned URLs
// are sealed the same way when their job completes (SealedStem). The sweep lists both for objects no row
// names: a row deleted while its job ran leaves what the job wrote. Derived
// objects under content/ are shared by every file with the same bytes and
// live while any row names them.
package objectkey

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"

	"phonoglyph"
	"phonoglyph/filetype"
)

// Top-level prefixes of derived objects; none of them is a file kind.
// analysis/{user}/{file}/… and thumbnails/ hold the per-file documents and
// thumbnails written before the content cache shared them (content/).
const (
	stemsPrefix      = "stems"
	analysisPrefix   = "analysis"
	thumbnailsPrefix = "thumbnails"
	rendersPrefix    = "renders"
	contentPrefix    = "content"
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

// sealedDir is the folder, beside an owner's uploads, of sealed uploads:
// no upload key has it as a segment (upload names are one segment).
const sealedDir = "sealed"

// Sealed is a key no URL was ever signed for, where completion copies an
// upload before checking it: {kind}/{user}/sealed/{upload name}/{tag}{ext}.
// The random tag makes every completion attempt's copy its own, so two
// racing completions never write one object. It lies under the upload's
// prefix, so the sweep frees a copy whose completion never committed.
func Sealed(uploadKey string) string {
	var tag [8]byte
	_, _ = rand.Read(tag[:]) // crypto/rand.Read never fails
	return path.Join(SealedPrefix(uploadKey), hex.EncodeToString(tag[:])+path.Ext(uploadKey))
}

// SealedPrefix is the folder (with its trailing slash) of an upload's
// sealed copies: an upload with one is closed to writes.
func SealedPrefix(uploadKey string) string {
	return path.Join(path.Dir(uploadKey), sealedDir, path.Base(uploadKey)) + "/"
}

// UploadPrefixes are the prefixes uploads land under, one per file kind.
func UploadPrefixes() []string {
	out := make([]string, len(phonoglyph.FileKinds))
	for i, k := range phonoglyph.FileKinds {
		out[i] = string(k)
	}
	return out
}

// DerivedPrefixes are the prefixes of every object a worker derives.
func DerivedPrefixes() []string {
	return []string{stemsPrefix, analysisPrefix, thumbnailsPrefix, rendersPrefix, contentPrefix}
}

// Writer is the id of the row whose job writes a derived object: the stem
// job of a stem, the file of an analysis document or thumbnail, the render
// of a render's video or analysis. ok is false for any other key.
func Writer(key string) (id string, ok bool) {
	parts := strings.Split(key, "/")
	switch {
	case len(parts) == 4 && parts[0] == stemsPrefix,
		len(parts) == 5 && parts[0] == stemsPrefix && parts[3] == sealedDir:
		return parts[2], true
	case len(parts) == 4 && parts[0] == analysisPrefix && parts[2] == "renders":
		return strings.TrimSuffix(parts[3], ".json"), true
	case len(parts) == 4 && parts[0] == analysisPrefix:
		return parts[2], true
	case len(parts) == 2 && parts[0] == thumbnailsPrefix:
		return strings.TrimSuffix(parts[1], "_thumb.png"), true
	case len(parts) == 4 && parts[0] == contentPrefix: // content/{sha}/{job}/…
		return parts[2], true
	case len(parts) == 3 && parts[0] == rendersPrefix:
		return strings.TrimSuffix(parts[2], ".mp4"), true
	}
	return "", false
}

// Stem is where a separation job writes one stem: under the owner, named by
// the job, so a retried or rescued job writes the same objects and never a
// second set.
func Stem(userID, jobID string, stem phonoglyph.StemType, format string) string {
	return path.Join(stemsPrefix, userID, jobID, string(stem)+"."+format)
}

// SealedStem is where a completed separation keeps one stem, the key its
// stem file names: {stems}/{user}/{job}/sealed/{stem}-{tag}.{format}, in
// the sealed folder of the job's own (so Writer names the job), a key no
// URL is ever signed for (only Stem is), so a URL RunPod still holds cannot
// change a stem once it is a file.
// The random tag gives every attempt its own copy: an attempt that lost its
// job never overwrites the stems another attempt completed with.
func SealedStem(userID, jobID string, stem phonoglyph.StemType, format string) string {
	var tag [8]byte
	_, _ = rand.Read(tag[:]) // crypto/rand.Read never fails
	return path.Join(stemsPrefix, userID, jobID, sealedDir, string(stem)+"-"+hex.EncodeToString(tag[:])+"."+format)
}

// Stems are the PUT targets of a separation, one per wanted stem.
func Stems(j *phonoglyph.StemJob) []string {
	var keys []string
	for _, stem := range j.Config.WantedStems() {
		keys = append(keys, Stem(j.UserID, j.ID, stem, j.Config.Quality.OutputFormat))
	}
	return keys
}

// AnalysisData is where per-file analysis documents lived before the
// content cache shared them (ContentAnalysis): rows written then still name
// such keys.
func AnalysisData(userID, fileID string, stem phonoglyph.StemType, version string) string {
	return path.Join(analysisPrefix, userID, fileID, string(stem)+"-"+version+".json")
}

// Thumbnail is where per-file waveform thumbnails lived before
// ContentThumbnail.
func Thumbnail(fileID string) string {
	return path.Join(thumbnailsPrefix, fileID+"_thumb.png")
}

// ContentAnalysis is the per-frame analysis document of some audio bytes
// (content hash sha256), shared by every file with those bytes, whoever owns
// it: written once by the job jobID that first analysed them (so a retried
// job rewrites the same object) and freed when no analysis row names it.
func ContentAnalysis(sha256 string, stem phonoglyph.StemType, version, jobID string) string {
	return path.Join(contentPrefix, sha256, jobID, string(stem)+"-"+version+".json")
}

// ContentThumbnail is the waveform thumbnail of some audio bytes, shared
// like ContentAnalysis and freed when no file names it.
func ContentThumbnail(sha256 string, stem phonoglyph.StemType, version, jobID string) string {
	return path.Join(contentPrefix, sha256, jobID, string(stem)+"-"+version+".png")
}

// Render is where a render's MP4 is stored, under its owner.
func Render(userID, renderID string) string {
	return path.Join(rendersPrefix, userID, renderID+".mp4")
}

// RenderAnalysis is the analysis JSON a render reads while it runs.
func RenderAnalysis(userID, renderID string) string {
	return path.Join(analysisPrefix, userID, "renders", renderID+".json")
}

package filetype

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"phonoglyph"
)

// maxNameLen is the longest accepted file name, in characters.
const maxNameLen = 255

// Classify validates a declared upload and returns its kind. The name must be
// 1 to 255 characters of valid UTF-8 without control characters and end in a
// known, non-executable extension; the MIME type must be one allowed for that
// extension's kind (case-insensitively); the size must be positive and at most lim.Max(kind).
// Failures are EINVALID errors naming the field (file_name, mime_type,
// file_size), or ETOOLARGE with the limit in MiB.
func Classify(name, mime string, size int64, lim Limits) (Kind, error) {
	if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "file_name: must be 1 to %d characters.", maxNameLen)
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "file_name: must be valid UTF-8 without control characters.")
	}
	if ext := extension(name); slices.Contains(dangerous, ext) {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "file_name: %s files are not allowed.", ext)
	}
	f, ok := lookup(name)
	if !ok {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "file_name: unsupported file type; use one of %s.", extensionList())
	}
	if !slices.Contains(mimeTypes[f.kind], strings.ToLower(mime)) {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "mime_type: not allowed for %s files; use one of %s.",
			f.ext, strings.Join(mimeTypes[f.kind], ", "))
	}
	if size <= 0 {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "file_size: must be greater than 0.")
	}
	if limit := lim.Max(f.kind); size > limit {
		return "", phonoglyph.Errorf(phonoglyph.ETOOLARGE, "file_size: %s files may be at most %s.", f.kind, mib(limit))
	}
	return f.kind, nil
}

// mib formats a byte count in MiB, adding the exact bytes when it is not a
// whole number of MiB.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.2f MiB (%d bytes)", float64(n)/(1<<20), n)
}

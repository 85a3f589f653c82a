// Package filetype decides what an upload is: its kind from the file name,
// whether the declared MIME type and size fit that kind, and whether the
// first bytes of the stored object match it. The rules are the original
// product's upload validation, enforced at the API edge.
package filetype

import "phonoglyph"

// Kind is a file category, as stored in file_metadata.file_type: the
// domain's FileKind, named here for the rules that classify it.
type Kind = phonoglyph.FileKind

// The file kinds.
const (
	MIDI  = phonoglyph.FileMIDI
	Audio = phonoglyph.FileAudio
	Video = phonoglyph.FileVideo
	Image = phonoglyph.FileImage
)

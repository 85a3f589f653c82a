// Package filetype decides what an upload is: its kind from the file name,
// whether the declared MIME type and size fit that kind, and whether the
// first bytes of the stored object match it. The rules are the original
// product's upload validation, enforced at the API edge.
package filetype

// Kind is a file category, as stored in file_metadata.file_type.
type Kind string

// The file kinds.
const (
	MIDI  Kind = "midi"
	Audio Kind = "audio"
	Video Kind = "video"
	Image Kind = "image"
)

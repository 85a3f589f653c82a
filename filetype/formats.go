package filetype

import (
	"slices"
	"strings"
)

// format is one accepted file extension.
type format struct {
	ext   string // lower case, with the dot
	kind  Kind
	name  string // what the content should be, for messages
	magic func(head []byte) bool
}

// formats are the accepted extensions, in the order messages list them.
var formats = []format{
	{".mid", MIDI, "MIDI file", prefix("MThd")},
	{".midi", MIDI, "MIDI file", prefix("MThd")},
	{".mp3", Audio, "MP3 audio", mp3},
	{".wav", Audio, "WAV audio", riff("WAVE", "RIFF", "RF64", "BW64")},
	{".flac", Audio, "FLAC audio", prefix("fLaC")},
	{".ogg", Audio, "Ogg audio", prefix("OggS")},
	{".m4a", Audio, "M4A audio", ftyp},
	{".aac", Audio, "AAC audio", adts},
	{".mp4", Video, "MP4 video", ftyp},
	{".mov", Video, "QuickTime video", ftyp},
	{".webm", Video, "WebM video", prefix("\x1A\x45\xDF\xA3")},
	{".jpg", Image, "JPEG image", prefix("\xFF\xD8\xFF")},
	{".jpeg", Image, "JPEG image", prefix("\xFF\xD8\xFF")},
	{".png", Image, "PNG image", prefix("\x89PNG\r\n\x1A\n")},
	{".gif", Image, "GIF image", prefix("GIF87a", "GIF89a")},
	{".webp", Image, "WebP image", riff("WEBP", "RIFF")},
}

// mimeTypes are the MIME types a declared upload of each kind may carry.
var mimeTypes = map[Kind][]string{
	MIDI: {"audio/midi", "audio/x-midi", "application/x-midi", "audio/mid"},
	Audio: {"audio/mpeg", "audio/mp3", "audio/wav", "audio/wave", "audio/x-wav",
		"audio/flac", "audio/x-flac", "audio/ogg", "audio/mp4", "audio/x-m4a", "audio/aac"},
	Video: {"video/mp4", "video/mov", "video/quicktime", "video/webm"},
	Image: {"image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp"},
}

// dangerous are executable and script extensions, refused with their own
// message so "song.wav.exe" reads as what it is.
var dangerous = []string{
	".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".sh", ".bash", ".zsh",
	".csh", ".fish", ".ps1", ".vbs", ".js", ".jar", ".app",
}

// extension is the lower-case last extension of name with its dot, or "".
func extension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	return strings.ToLower(name[i:])
}

// lookup finds the format of a file name by its last extension.
func lookup(name string) (format, bool) {
	ext := extension(name)
	i := slices.IndexFunc(formats, func(f format) bool { return f.ext == ext })
	if i < 0 {
		return format{}, false
	}
	return formats[i], true
}

// extensionList names every accepted extension, for messages.
func extensionList() string {
	exts := make([]string, len(formats))
	for i, f := range formats {
		exts[i] = f.ext
	}
	return strings.Join(exts, ", ")
}

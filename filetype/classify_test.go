package filetype

import (
	"strings"
	"testing"

	"phonoglyph"
)

func TestClassifyAccepts(t *testing.T) {
	lim := DefaultLimits()
	cases := []struct {
		name, mime string
		size       int64
		want       Kind
	}{
		{"theme.mid", "audio/midi", 1, MIDI},
		{"theme.midi", "audio/x-midi", 1, MIDI},
		{"theme.mid", "application/x-midi", 1, MIDI},
		{"theme.mid", "audio/mid", 5 << 20, MIDI},
		{"song.mp3", "audio/mpeg", 1, Audio},
		{"song.mp3", "audio/mp3", 1, Audio},
		{"song.wav", "audio/wav", 50 << 20, Audio},
		{"song.wav", "audio/wave", 1, Audio},
		{"song.wav", "audio/x-wav", 1, Audio},
		{"song.flac", "audio/flac", 1, Audio},
		{"song.flac", "audio/x-flac", 1, Audio},
		{"song.ogg", "audio/ogg", 1, Audio},
		{"song.m4a", "audio/mp4", 1, Audio},
		{"song.m4a", "audio/x-m4a", 1, Audio},
		{"song.aac", "audio/aac", 1, Audio},
		{"song.wav", "audio/mpeg", 1, Audio}, // MIME is checked per kind, as in the original
		{"clip.mp4", "video/mp4", 500 << 20, Video},
		{"clip.mov", "video/quicktime", 1, Video},
		{"clip.mov", "video/mov", 1, Video},
		{"clip.webm", "video/webm", 1, Video},
		{"cover.jpg", "image/jpeg", 25 << 20, Image},
		{"cover.jpeg", "image/jpg", 1, Image},
		{"cover.png", "image/png", 1, Image},
		{"cover.gif", "image/gif", 1, Image},
		{"cover.webp", "image/webp", 1, Image},
		{"SONG.WAV", "audio/wav", 1, Audio},
		{"Cover.JpEg", "image/jpeg", 1, Image},
		{"song.wav", "Audio/WAV", 1, Audio},
		{"song.exe.wav", "audio/wav", 1, Audio}, // only the last extension counts
		{"my song (final).v2.wav", "audio/wav", 1, Audio},
		{"песня.wav", "audio/wav", 1, Audio},
		{".wav", "audio/wav", 1, Audio},
		{strings.Repeat("a", 251) + ".wav", "audio/wav", 1, Audio},
		{strings.Repeat("é", 251) + ".wav", "audio/wav", 1, Audio}, // 255 characters, 506 bytes
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.mime, func(t *testing.T) {
			got, err := Classify(c.name, c.mime, c.size, lim)
			if err != nil || got != c.want {
				t.Fatalf("Classify = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestClassifyRejects(t *testing.T) {
	lim := DefaultLimits()
	cases := []struct {
		test, name, mime string
		size             int64
		code, msg        string
	}{
		{"empty name", "", "audio/wav", 1, phonoglyph.EINVALID, "file_name: must be 1 to 255 characters."},
		{"name of 256 characters", strings.Repeat("a", 252) + ".wav", "audio/wav", 1, phonoglyph.EINVALID, "file_name: must be 1 to 255"},
		{"control character", "song\x00.wav", "audio/wav", 1, phonoglyph.EINVALID, "file_name: must be valid UTF-8"},
		{"newline", "song\n.wav", "audio/wav", 1, phonoglyph.EINVALID, "file_name: must be valid UTF-8"},
		{"invalid UTF-8", "song\xff.wav", "audio/wav", 1, phonoglyph.EINVALID, "file_name: must be valid UTF-8"},
		{"double extension", "song.wav.exe", "audio/wav", 1, phonoglyph.EINVALID, "file_name: .exe files are not allowed."},
		{"uppercase dangerous", "SETUP.EXE", "audio/wav", 1, phonoglyph.EINVALID, "file_name: .exe files are not allowed."},
		{"no extension", "song", "audio/wav", 1, phonoglyph.EINVALID, "file_name: unsupported file type; use one of .mid, .midi, .mp3"},
		{"unknown extension", "notes.txt", "text/plain", 1, phonoglyph.EINVALID, "file_name: unsupported file type"},
		{"trailing dot", "song.wav.", "audio/wav", 1, phonoglyph.EINVALID, "file_name: unsupported file type"},
		{"trailing space", "song.wav ", "audio/wav", 1, phonoglyph.EINVALID, "file_name: unsupported file type"},
		{"MIME of another kind", "song.wav", "image/png", 1, phonoglyph.EINVALID, "mime_type: not allowed for .wav files; use one of audio/mpeg"},
		{"video MIME for m4a", "song.m4a", "video/mp4", 1, phonoglyph.EINVALID, "mime_type: not allowed for .m4a files"},
		{"audio MIME for midi", "theme.mid", "audio/wav", 1, phonoglyph.EINVALID, "mime_type: not allowed for .mid files"},
		{"empty MIME", "song.wav", "", 1, phonoglyph.EINVALID, "mime_type:"},
		{"MIME with spaces", "song.wav", " audio/wav", 1, phonoglyph.EINVALID, "mime_type:"},
		{"generic MIME", "song.wav", "application/octet-stream", 1, phonoglyph.EINVALID, "mime_type:"},
		{"size 0", "song.wav", "audio/wav", 0, phonoglyph.EINVALID, "file_size: must be greater than 0."},
		{"negative size", "song.wav", "audio/wav", -1, phonoglyph.EINVALID, "file_size: must be greater than 0."},
		{"midi over limit", "theme.mid", "audio/midi", 5<<20 + 1, phonoglyph.ETOOLARGE, "file_size: midi files may be at most 5 MiB."},
		{"audio over limit", "song.wav", "audio/wav", 50<<20 + 1, phonoglyph.ETOOLARGE, "file_size: audio files may be at most 50 MiB."},
		{"video over limit", "clip.mp4", "video/mp4", 500<<20 + 1, phonoglyph.ETOOLARGE, "file_size: video files may be at most 500 MiB."},
		{"image over limit", "cover.png", "image/png", 25<<20 + 1, phonoglyph.ETOOLARGE, "file_size: image files may be at most 25 MiB."},
	}
	for _, c := range cases {
		t.Run(c.test, func(t *testing.T) {
			kind, err := Classify(c.name, c.mime, c.size, lim)
			if err == nil {
				t.Fatalf("accepted as %q", kind)
			}
			if kind != "" {
				t.Errorf("kind on failure = %q", kind)
			}
			if got := phonoglyph.ErrorCode(err); got != c.code {
				t.Errorf("code = %q, want %q", got, c.code)
			}
			if got := phonoglyph.ErrorMessage(err); !strings.HasPrefix(got, c.msg) {
				t.Errorf("message = %q, want prefix %q", got, c.msg)
			}
		})
	}
}

func TestClassifyDangerousExtensions(t *testing.T) {
	for _, ext := range []string{".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".sh", ".bash", ".zsh",
		".csh", ".fish", ".ps1", ".vbs", ".js", ".jar", ".app"} {
		for _, name := range []string{"x" + ext, "song.wav" + ext, "SONG.WAV" + strings.ToUpper(ext)} {
			_, err := Classify(name, "audio/wav", 1, DefaultLimits())
			if want := "file_name: " + ext + " files are not allowed."; phonoglyph.ErrorMessage(err) != want {
				t.Errorf("Classify(%q) = %v, want %q", name, err, want)
			}
		}
	}
}

func TestClassifyCustomLimits(t *testing.T) {
	lim := Limits{MIDI: 1000, Audio: 3 << 19, Video: 1, Image: 1}
	if _, err := Classify("a.wav", "audio/wav", 3<<19, lim); err != nil {
		t.Errorf("size at the limit: %v", err)
	}
	_, err := Classify("a.wav", "audio/wav", 3<<19+1, lim)
	if got, want := phonoglyph.ErrorMessage(err), "file_size: audio files may be at most 1.50 MiB (1572864 bytes)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = Classify("a.mid", "audio/midi", 1001, lim)
	if got, want := phonoglyph.ErrorMessage(err), "file_size: midi files may be at most 0.00 MiB (1000 bytes)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

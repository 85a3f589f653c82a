package filetype

import (
	"strings"
	"testing"

	"phonoglyph"
)

// The first SniffLen bytes of real files of each type.
var heads = map[string]string{
	"midi":      "MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MT",
	"mp3 id3":   "ID3\x04\x00\x00\x00\x00\x00\x23TSSE\x00\x00",
	"mp3 fffb":  "\xff\xfb\x90\x64\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"mp3 fff3":  "\xff\xf3\x84\xc4\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"mp3 fff2":  "\xff\xf2\x84\xc4\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"mp3 fffa":  "\xff\xfa\x90\x64\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"mp3 ffe3":  "\xff\xe3\x18\xc4\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"wav":       "RIFF\x24\x08\x00\x00WAVEfmt ",
	"wav rf64":  "RF64\xff\xff\xff\xffWAVEds64",
	"wav bw64":  "BW64\xff\xff\xff\xffWAVEds64",
	"flac":      "fLaC\x00\x00\x00\x22\x10\x00\x10\x00\x00\x00\x0e\x00",
	"ogg":       "OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x6b\x8b",
	"m4a":       "\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00",
	"mp4":       "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00",
	"mov":       "\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00",
	"aac fff1":  "\xff\xf1\x50\x80\x02\x1f\xfc\x21\x00\x00\x00\x00\x00\x00\x00\x00",
	"aac fff9":  "\xff\xf9\x50\x80\x02\x1f\xfc\x21\x00\x00\x00\x00\x00\x00\x00\x00",
	"aac fff0":  "\xff\xf0\x50\x80\x02\x1f\xfc\x21\x00\x00\x00\x00\x00\x00\x00\x00",
	"webm":      "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81",
	"jpeg":      "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01",
	"jpeg exif": "\xff\xd8\xff\xe1\x00\x18Exif\x00\x00II*\x00",
	"png":       "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
	"gif87a":    "GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00",
	"gif89a":    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00",
	"webp":      "RIFF\x1a\x00\x00\x00WEBPVP8L",
}

func TestMatchMagicAccepts(t *testing.T) {
	cases := []struct{ name, head string }{
		{"theme.mid", "midi"}, {"theme.midi", "midi"},
		{"song.mp3", "mp3 id3"}, {"song.mp3", "mp3 fffb"}, {"song.mp3", "mp3 fff3"},
		{"song.mp3", "mp3 fff2"}, {"song.mp3", "mp3 fffa"}, {"song.mp3", "mp3 ffe3"},
		{"song.wav", "wav"}, {"song.wav", "wav rf64"}, {"song.wav", "wav bw64"}, {"song.flac", "flac"}, {"song.ogg", "ogg"}, {"song.m4a", "m4a"},
		{"song.aac", "aac fff1"}, {"song.aac", "aac fff9"}, {"song.aac", "aac fff0"},
		{"clip.mp4", "mp4"}, {"clip.mov", "mov"}, {"clip.webm", "webm"},
		{"song.m4a", "mp4"}, // any ftyp brand: the decoder decides what it can read
		{"cover.jpg", "jpeg"}, {"cover.jpeg", "jpeg exif"}, {"cover.png", "png"},
		{"cover.gif", "gif87a"}, {"cover.gif", "gif89a"}, {"cover.webp", "webp"},
		{"SONG.WAV", "wav"}, {"Cover.PNG", "png"},
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.head, func(t *testing.T) {
			if err := MatchMagic(c.name, []byte(heads[c.head])); err != nil {
				t.Fatal(err)
			}
			// Only the first bytes matter; a longer read is fine too.
			if err := MatchMagic(c.name, []byte(heads[c.head]+strings.Repeat("\x00", 100))); err != nil {
				t.Fatalf("long head: %v", err)
			}
		})
	}
}

func TestMatchMagicRejects(t *testing.T) {
	cases := []struct{ name, head, expected string }{
		{"song.wav", heads["png"], "WAV audio"},
		{"song.wav", heads["webp"], "WAV audio"}, // RIFF of another form
		{"cover.webp", heads["wav"], "WebP image"},
		{"cover.webp", "RF64\xff\xff\xff\xffWEBPVP8L", "WebP image"}, // only WAV has a 64-bit form
		{"song.mp3", heads["aac fff1"], "MP3 audio"},                 // ADTS is not a Layer III frame
		{"song.mp3", "\xff\xfd\x90\x64", "MP3 audio"},                // Layer II
		{"song.mp3", "\xff\xeb\x90\x64", "MP3 audio"},                // reserved version
		{"song.mp3", "\xfe\xfb\x90\x64", "MP3 audio"},                // no sync
		{"song.aac", heads["mp3 fffb"], "AAC audio"},                 // Layer III is not ADTS
		{"song.aac", heads["mp3 id3"], "AAC audio"},
		{"song.flac", heads["ogg"], "FLAC audio"},
		{"song.ogg", heads["flac"], "Ogg audio"},
		{"song.m4a", heads["webm"], "M4A audio"},
		{"clip.mp4", "\x00\x00\x00\x18moovmp42", "MP4 video"},
		{"clip.mov", heads["jpeg"], "QuickTime video"},
		{"clip.webm", heads["mp4"], "WebM video"},
		{"theme.mid", "MTrk\x00\x00\x00\x06", "MIDI file"},
		{"cover.jpg", heads["png"], "JPEG image"},
		{"cover.png", "\x89PNG\r\n\x1a\x00", "PNG image"}, // corrupted by text-mode transfer
		{"cover.gif", "GIF88a\x01\x00", "GIF image"},
		{"cover.gif", "gif89a\x01\x00", "GIF image"},
		{"song.wav", "", "WAV audio"},
		{"song.wav", "RIFF\x24\x08\x00\x00WAV", "WAV audio"}, // short head
		{"cover.webp", "RIFF\x1a\x00\x00\x00WEB", "WebP image"},
		{"song.m4a", "\x00\x00\x00\x20fty", "M4A audio"},
		{"theme.mid", "MTh", "MIDI file"},
		{"song.mp3", "ID", "MP3 audio"},
		{"song.mp3", "\xff", "MP3 audio"},
		{"song.aac", "\xff", "AAC audio"},
		{"cover.jpg", "\xff\xd8", "JPEG image"},
		{"cover.png", "\x89PNG\r\n\x1a", "PNG image"},
		{"cover.gif", "GIF89", "GIF image"},
		{"clip.webm", "\x1a\x45\xdf", "WebM video"},
		{"song.flac", "fLa", "FLAC audio"},
		{"song.ogg", "Ogg", "Ogg audio"},
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.expected, func(t *testing.T) {
			err := MatchMagic(c.name, []byte(c.head))
			if code := phonoglyph.ErrorCode(err); code != phonoglyph.EINVALID {
				t.Fatalf("code = %q (%v)", code, err)
			}
			if got, want := phonoglyph.ErrorMessage(err), "file content does not match its type: expected "+c.expected+"."; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

func TestMatchMagicUnknownExtension(t *testing.T) {
	for _, name := range []string{"notes.txt", "song", "song.wav.exe", ""} {
		err := MatchMagic(name, []byte(heads["wav"]))
		if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID || phonoglyph.ErrorMessage(err) != "file_name: unsupported file type." {
			t.Errorf("MatchMagic(%q) = %v", name, err)
		}
	}
}

// Every accepted extension is recognised from SniffLen bytes.
func TestSniffLenCoversEveryFormat(t *testing.T) {
	for name, h := range heads {
		if len(h) != SniffLen {
			t.Errorf("test head %s has %d bytes, want SniffLen", name, len(h))
		}
	}
	for _, f := range formats {
		matched := false
		for _, h := range heads {
			matched = matched || f.magic([]byte(h))
		}
		if !matched {
			t.Errorf("%s: no test head matches", f.ext)
		}
	}
}

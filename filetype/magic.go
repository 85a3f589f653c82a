package filetype

import (
	"bytes"
	"slices"

	"phonoglyph"
)

// SniffLen is how many leading bytes of a file MatchMagic needs.
const SniffLen = 16

// MatchMagic reports whether head, the leading bytes of a file (SniffLen is
// enough), matches the type its name declares: MIDI "MThd"; MP3 "ID3" or an
// MPEG Layer III frame sync; WAV "RIFF", "RF64" or "BW64"…"WAVE"; FLAC "fLaC"; Ogg "OggS";
// M4A, MP4 and MOV "…ftyp"; AAC an ADTS sync; WebM the EBML magic; JPEG
// FF D8 FF; PNG, GIF87a/GIF89a; WebP "RIFF"…"WEBP". A mismatch, a short head
// or an unknown extension is an EINVALID error.
func MatchMagic(name string, head []byte) error {
	f, ok := lookup(name)
	if !ok {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "file_name: unsupported file type.")
	}
	if !f.magic(head) {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "file content does not match its type: expected %s.", f.name)
	}
	return nil
}

// prefix matches content starting with any of sigs.
func prefix(sigs ...string) func([]byte) bool {
	return func(h []byte) bool {
		for _, s := range sigs {
			if bytes.HasPrefix(h, []byte(s)) {
				return true
			}
		}
		return false
	}
}

// riff matches a RIFF container of the given form type ("WAVE", "WEBP")
// under any of the given container ids ("RIFF", or the 64-bit "RF64" and
// "BW64" of EBU Tech 3306 and ITU-R BS.2088 for WAV files over 4 GiB).
func riff(form string, ids ...string) func([]byte) bool {
	return func(h []byte) bool {
		return len(h) >= 12 && slices.Contains(ids, string(h[:4])) && string(h[8:12]) == form
	}
}

// ftyp matches an ISO base media file (MP4, M4A, MOV): a box of type ftyp
// first.
func ftyp(h []byte) bool {
	return len(h) >= 8 && string(h[4:8]) == "ftyp"
}

// mp3 matches an ID3v2 tag or an MPEG audio Layer III frame header: 11 sync
// bits, a version other than the reserved 01 and layer bits 01 (FF FB, FF FA,
// FF F3, FF F2, FF E3, FF E2).
func mp3(h []byte) bool {
	if bytes.HasPrefix(h, []byte("ID3")) {
		return true
	}
	return len(h) >= 2 && h[0] == 0xFF && h[1]&0xE0 == 0xE0 && (h[1]>>3)&3 != 1 && (h[1]>>1)&3 == 1
}

// adts matches an AAC ADTS frame header: 12 sync bits, either MPEG version,
// layer 00, with or without CRC (FF F1, FF F9, FF F0, FF F8).
func adts(h []byte) bool {
	return len(h) >= 2 && h[0] == 0xFF && h[1]&0xF6 == 0xF0
}

package filetype

// Limits are the largest accepted upload sizes per kind, in bytes
// (MAX_MIDI_FILE_SIZE, MAX_AUDIO_FILE_SIZE, MAX_VIDEO_FILE_SIZE,
// MAX_IMAGE_FILE_SIZE).
type Limits struct {
	MIDI, Audio, Video, Image int64
}

// DefaultLimits are the original product's limits: MIDI 5 MiB, audio 50 MiB,
// video 500 MiB, image 25 MiB.
func DefaultLimits() Limits {
	return Limits{MIDI: 5 << 20, Audio: 50 << 20, Video: 500 << 20, Image: 25 << 20}
}

// Max is the limit for kind k, or 0 for an unknown kind.
func (l Limits) Max(k Kind) int64 {
	switch k {
	case MIDI:
		return l.MIDI
	case Audio:
		return l.Audio
	case Video:
		return l.Video
	case Image:
		return l.Image
	}
	return 0
}

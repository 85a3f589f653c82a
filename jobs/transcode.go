package jobs

import (
	"io"
	"os"

	"phonoglyph/dsp"
)

// transcodeWAV decodes any supported audio (MP3, FLAC, Ogg, WAV, or what
// ffmpeg reads) into a 16-bit PCM WAV file at path, for consumers that read
// WAV only (the local separator). It streams: memory does not grow with the
// track.
func transcodeWAV(r io.Reader, name, path string, lim dsp.Limits) error {
	dec, closer, err := dsp.Open(r, name, lim)
	if err != nil {
		return err
	}
	defer closer.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	format := dec.Format()
	out, err := dsp.NewWAVWriter(f, format.SampleRate, format.Channels)
	if err != nil {
		return err
	}
	buf := make([]float32, 4096*format.Channels)
	for {
		n, err := dec.Read(buf)
		if werr := out.Write(buf[:n]); werr != nil {
			return werr
		}
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	return f.Close()
}

package jobs

import (
	"io"
	"math"
	"os"

	"phonoglyph/dsp"
)

// wavBytes is the size of the 16-bit PCM WAV (RF64 beyond 4 GiB) a
// streaming dsp.WAVWriter writes for frames frames of channels channels.
func wavBytes(frames int64, channels int) int64 {
	return dsp.RF64HeaderSize + frames*int64(2*channels)
}

// transcodeWAV decodes any supported audio (MP3, FLAC, Ogg, WAV, or what
// ffmpeg reads) into a 16-bit PCM WAV file at path, for consumers that read
// WAV only (the local separator). It streams: memory does not grow with the
// track, and a WAV beyond 4 GiB is written as RF64 (EBU Tech 3306), which
// dsp.WAVReader reads. Before writing anything, the decoder refuses a
// declared duration above lim (MAX_AUDIO_SECONDS) and this checks what the
// WAV would weigh against the worker's temp budget, reserving extra times
// the WAV's size for what the consumer writes beside it (its stems); a
// stream of unknown length is stopped at the same bounds. release gives the budget
// back once the files are removed.
func transcodeWAV(r io.Reader, name, path string, lim dsp.Limits, temp *TempDir, extra int) (release func(), err error) {
	dec, closer, err := dsp.Open(r, name, lim)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	format := dec.Format()
	frames := int64(math.Min(lim.Seconds()*float64(format.SampleRate), math.MaxInt64/(4*float64(format.Channels)))) // the most a stream of unknown length may write
	if format.Frames >= 0 {                                                                                         // the decoder refused a declared duration above lim at Open
		frames = format.Frames
	}
	release, err = temp.Reserve(wavBytes(frames, format.Channels) * int64(1+extra))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := dsp.NewWAVWriter(f, format.SampleRate, format.Channels, 16)
	if err != nil {
		return nil, err
	}
	buf := make([]float32, 4096*format.Channels)
	written := int64(0)
	for {
		n, err := dec.Read(buf)
		if written += int64(n / format.Channels); written > frames {
			return nil, Failf("The audio is longer than it declares or than %.0f s; it cannot be separated.", lim.Seconds())
		}
		if werr := out.Write(buf[:n]); werr != nil {
			return nil, werr
		}
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	return release, f.Close()
}

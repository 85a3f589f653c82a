package jobs

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
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
	if _, err := f.Seek(44, io.SeekStart); err != nil { // the header is written last, when the length is known
		return err
	}
	out := bufio.NewWriterSize(f, 1<<16)
	buf := make([]float32, 4096*format.Channels)
	pcm := make([]byte, 2*len(buf))
	var samples int64
	for {
		n, err := dec.Read(buf)
		for i, v := range buf[:n] {
			binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(math.Round(float64(max(-1, min(1, v)))*32767))))
		}
		if _, werr := out.Write(pcm[:2*n]); werr != nil {
			return werr
		}
		samples += int64(n)
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return writeWAVHeader(f, format.SampleRate, format.Channels, samples*2)
}

// writeWAVHeader writes a canonical 44-byte PCM16 header.
func writeWAVHeader(w io.Writer, rate, channels int, dataBytes int64) error {
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+dataBytes))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(dataBytes))
	_, err := w.Write(h)
	return err
}

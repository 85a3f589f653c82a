package dsp

import (
	"fmt"
	"os/exec"
)

// ToolPaths overrides the binaries of the lighter decoder tools Open prefers
// to ffmpeg, by name ("mpg123", "flac"); a tool not named runs from PATH.
// A path that does not exist disables the tool. (ffmpeg's is FFmpegPath.)
var ToolPaths = map[string]string{}

// decodeTool is an external decoder Open can run: it decodes its input to a
// WAV stream on stdout.
type decodeTool struct {
	name string
	// ffmpeg: ffmpeg's conventions ("pipe:0" for stdin, a -v level+info
	// log describing the input before the output starts).
	ffmpeg bool
	// seekable: it needs a seekable file, not a pipe.
	seekable bool
	// resamples: it converts to the rate args is given; the others keep
	// the file's rate (OpenForAnalysis resamples them in Go).
	resamples bool
	// args is the command line decoding in (a path or the tool's name for
	// stdin) to WAV on stdout, at rate Hz when rate > 0 and resamples.
	args func(in string, rate int) []string
	// env is added to the worker's environment for the tool.
	env []string
}

// mpg123Tool decodes MP3 to 32-bit float WAV from a pipe, gapless (the LAME
// tag's delay and padding dropped, as ffmpeg does). Its start costs a few
// milliseconds against ffmpeg's tens (ffmpeg loads about 216 shared
// libraries), and its decoding less CPU than ffmpeg's (BENCHMARKS.md).
var mpg123Tool = &decodeTool{name: "mpg123", args: func(in string, _ int) []string {
	return []string{"-q", "-e", "f32", "-w", "-", in}
}}

// flacTool decodes FLAC to integer WAV from a pipe, with exact sizes from
// the STREAMINFO block; the samples are the same integers ffmpeg decodes.
// Like ffmpeg it decodes through a damaged frame (-F) instead of failing the
// file; a stream it cannot read at all fails. The WAV is RF64, which holds
// any length (flac refuses a plain WAV beyond 4 GiB, so a header declaring
// hours of 192 kHz audio is refused from the declared length, as ffmpeg's).
var flacTool = &decodeTool{name: "flac", args: func(in string, _ int) []string {
	return []string{"-d", "-c", "-s", "-F", "--force-rf64-format", in}
}}

// toolsFor lists the tools Open tries for a format, best first.
func toolsFor(kind audioKind) []*decodeTool {
	switch kind {
	case kindWAV:
		return nil
	case kindMP3:
		return []*decodeTool{mpg123Tool, ffmpegTool}
	case kindFLAC:
		return []*decodeTool{flacTool, ffmpegTool}
	}
	return []*decodeTool{ffmpegTool}
}

// pickTool returns the installed tool Open runs for kind, or nil. With a
// rate wanted, a tool that does not resample comes after ffmpeg unless the
// file's header says it is at that rate already (ffmpeg's resampler, in its
// own process, is cheaper than Resample).
func pickTool(kind audioKind, head []byte, rate int) *decodeTool {
	tools := toolsFor(kind)
	for _, t := range tools {
		if t.installed() && (t.resamples || rate <= 0 || headerRate(kind, head) == rate) {
			return t
		}
	}
	for _, t := range tools {
		if t.installed() {
			return t
		}
	}
	return nil
}

// binary resolves the tool's binary (FFmpegPath or ToolPaths, else its name)
// on PATH.
func (t *decodeTool) binary() (string, error) {
	bin := t.name
	if t == ffmpegTool && FFmpegPath != "" {
		bin = FFmpegPath
	} else if p, ok := ToolPaths[t.name]; ok && t != ffmpegTool {
		bin = p
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%s: %w", t.name, err)
	}
	return path, nil
}

// installed reports whether the tool's binary is found.
func (t *decodeTool) installed() bool {
	_, err := t.binary()
	return err == nil
}

// mpegRates are MPEG audio's sample rates by version bits and rate index.
var mpegRates = [4][3]int{
	0: {11025, 12000, 8000},  // MPEG 2.5
	2: {22050, 24000, 16000}, // MPEG 2
	3: {44100, 48000, 32000}, // MPEG 1
}

// headerRate returns the sample rate the start of a FLAC or MP3 file
// declares (FLAC's STREAMINFO, the first MPEG frame header after an ID3
// tag), or 0.
func headerRate(kind audioKind, head []byte) int {
	switch kind {
	case kindFLAC:
		// "fLaC", a metadata block header of type 0 (STREAMINFO), and the
		// 20-bit rate after the block and frame sizes.
		if len(head) >= 21 && head[4]&0x7f == 0 {
			return int(head[18])<<12 | int(head[19])<<4 | int(head[20])>>4
		}
	case kindMP3:
		off := 0
		if len(head) >= 3 && string(head[:3]) == "ID3" {
			off = id3Size(head)
		}
		if mpegAt(head, off) == kindMP3 {
			if idx := head[off+2] >> 2 & 3; idx < 3 {
				return mpegRates[head[off+1]>>3&3][idx]
			}
		}
	}
	return 0
}

//go:build !linux

package dsp

import "io"

// enlargePipe does nothing on this system (pipe buffers keep their size).
func enlargePipe(io.Reader, int) {}

// stdinPath is empty: ffmpeg is given a spooled copy of the caller's file.
const stdinPath = ""

//go:build !linux

package dsp

import "io"

// enlargePipe does nothing on this system (pipe buffers keep their size).
func enlargePipe(io.Reader, int) {}

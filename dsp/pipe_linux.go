package dsp

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// enlargePipe asks the kernel for a pipe buffer of n bytes on r when r is a
// pipe (best effort: the default, 64 KiB, stays when refused). ffmpeg then
// runs up to n bytes ahead of the reader instead of blocking every 64 KiB,
// which on a loaded machine stalls the decoder and the analysis in turn.
func enlargePipe(r io.Reader, n int) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, n) })
	}
}

// stdinPath names a process's standard input as a file it can open and
// seek: ffmpeg reads the caller's file through it (Linux reopens the file
// itself, at offset 0).
const stdinPath = "/dev/stdin"

// Package childproc starts the external programs workers run (ffmpeg,
// ffprobe) so that none outlives its worker: every exec site uses Command.
//
// A child runs in a process group of its own, and the end of its context
// kills the whole group (ffmpeg's own children included), not only the
// direct child. On Linux the kernel also sends it SIGKILL when the worker
// dies (PR_SET_PDEATHSIG), so a worker killed with SIGKILL leaves no ffmpeg
// running. The death signal fires when the OS thread that started the child
// exits; Go keeps that thread for the process's life unless a goroutine
// locked to it returns, which no caller does.
package childproc

import (
	"context"
	"os/exec"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait waits for the child's output pipes after
// it was killed.
const waitDelay = 5 * time.Second

// Command is exec.CommandContext for a child that dies with its worker: the
// context's end kills its process group with SIGKILL.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = waitDelay
	return cmd
}

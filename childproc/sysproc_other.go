//go:build unix && !linux

package childproc

import "syscall"

// sysProcAttr puts the child in its own process group; only Linux can have
// the kernel kill it when its parent dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

package childproc_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"phonoglyph/childproc"
	"phonoglyph/eventually"
)

// The test binary re-executed as a "worker" that starts a long child
// through Command, prints its pid, and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("CHILDPROC_WORKER") == "1" {
		cmd := childproc.Command(context.Background(), "sleep", "300")
		if err := cmd.Start(); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString(strconv.Itoa(cmd.Process.Pid) + "\n")
		_ = cmd.Wait()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	// A zombie (state Z) is dead, waiting for its reaper.
	return err == nil && !strings.Contains(string(stat), ") Z ")
}

// A worker killed with SIGKILL takes its child with it.
func TestChildDiesWithItsWorker(t *testing.T) {
	worker := exec.Command(os.Args[0], "-test.run=^$")
	worker.Env = append(os.Environ(), "CHILDPROC_WORKER=1")
	out, err := worker.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, err := out.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || !alive(child) {
		t.Fatalf("child %q: %v", buf[:n], err)
	}
	_ = worker.Process.Signal(syscall.SIGKILL)
	_ = worker.Wait()
	eventually.True(t, 10*time.Second, "the child died with its worker", func() bool { return !alive(child) })
}

// The end of the context kills the child's whole process group, its own
// children included.
func TestContextEndKillsTheProcessGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := childproc.Command(ctx, "sh", "-c", "sleep 300 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, err := out.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	grandchild, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	_ = cmd.Wait()
	eventually.True(t, 10*time.Second, "the grandchild died", func() bool { return !alive(grandchild) })
}

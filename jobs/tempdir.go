package jobs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// tempRoot is the folder, under the system's temp directory, that holds
// one temp directory per worker process.
const tempRoot = "phonoglyph"

// TempDir is a worker process's own temp directory,
// $TMPDIR/phonoglyph/<pid>-<start>, with the process's start time (in clock
// ticks since boot, from /proc) so a reused pid is not mistaken for the
// process that made it. Everything the process writes to temp files lives
// under it (OwnTempDir points TMPDIR there, ffmpeg children included), and
// a budget bounds how much the process may have there at once.
type TempDir struct {
	Path   string
	budget int64

	mu       sync.Mutex
	reserved int64
}

// OwnTempDir creates this process's temp directory, removes those of
// processes that no longer run (a worker killed with SIGKILL leaves its
// directory behind), and points TMPDIR at it so every temp file of the
// process and its children lands there. budget bounds the bytes Reserve
// grants at once (0: no bound).
func OwnTempDir(budget int64) (*TempDir, error) {
	root := filepath.Join(os.TempDir(), tempRoot)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if pid, start, ok := parseTempName(e.Name()); ok && !running(pid, start) {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("remove a dead worker's temp directory: %w", err)
			}
		}
	}
	start, err := startTime(os.Getpid())
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, fmt.Sprintf("%d-%d", os.Getpid(), start))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Setenv("TMPDIR", dir); err != nil {
		return nil, err
	}
	return &TempDir{Path: dir, budget: budget}, nil
}

// Remove deletes the directory at a clean exit, and the shared root when
// no other worker's directory is left in it.
func (t *TempDir) Remove() error {
	err := os.RemoveAll(t.Path)
	_ = os.Remove(filepath.Dir(t.Path)) // fails while another worker's directory is there
	return err
}

// Reserve claims n bytes of the budget for a temp file about to be written,
// or refuses with a message for the job's owner when the process has too
// much in temp files already; release gives them back once the file is
// removed. A nil TempDir grants everything.
func (t *TempDir) Reserve(n int64) (release func(), err error) {
	if t == nil || t.budget <= 0 {
		return func() {}, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n > t.budget {
		return nil, Failf("The audio is too large to prepare for separation (%d MB of temporary files; this worker allows %d MB).", n>>20, t.budget>>20)
	}
	if t.reserved+n > t.budget {
		return nil, errors.New("temp budget in use by other jobs") // retried later
	}
	t.reserved += n
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			t.reserved -= n
			t.mu.Unlock()
		})
	}, nil
}

// parseTempName reads "<pid>-<start>".
func parseTempName(name string) (pid int, start uint64, ok bool) {
	p, s, found := strings.Cut(name, "-")
	if !found {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseUint(s, 10, 64)
	return pid, start, err1 == nil && err2 == nil && pid > 0
}

// running reports whether the process pid that started at start still runs.
func running(pid int, start uint64) bool {
	got, err := startTime(pid)
	return err == nil && got == start
}

// startTime is a process's start time in clock ticks since boot (field 22
// of /proc/<pid>/stat).
func startTime(pid int) (uint64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: fields
	// are counted after its closing parenthesis.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	return strconv.ParseUint(fields[19], 10, 64) // field 22 overall
}

package runpodtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
)

// shell is a Worker running script under sh, speaking Process's channel on
// file descriptor 3.
func shell(script string) runpodtest.Worker {
	return runpodtest.Process(func(ctx context.Context) *exec.Cmd {
		return exec.CommandContext(ctx, "sh", "-c", script)
	})
}

// run submits body's input to a stand-in running worker, waits for the job
// to end and returns its /status answer.
func run(t *testing.T, worker runpodtest.Worker, input string) (*runpodtest.Server, string, map[string]any) {
	t.Helper()
	s := runpodtest.Start(t, runpodtest.Options{Worker: worker})
	auth := "Bearer " + runpodtest.DefaultAPIKey
	code, out := call(t, s, "POST", "/run", auth, `{"input":`+input+`}`)
	id, _ := out["id"].(string)
	if code != http.StatusOK || id == "" {
		t.Fatalf("POST /run: %d %v", code, out)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if state, _ := s.Job(id); state != runpod.StateInQueue && state != runpod.StateInProgress {
			break
		}
	}
	_, out = call(t, s, "GET", "/status/"+id, auth, "")
	return s, id, out
}

func TestProcessRelaysTheJobProgressAndResult(t *testing.T) {
	t.Parallel()
	// The worker echoes the job it read as its output, after two updates.
	script := `job=$(cat)
echo '{"status":"IN_PROGRESS","output":{"stage":"downloading","pct":0}}' >&3
echo '{"status":"IN_PROGRESS","output":"any JSON"}' >&3
echo "{\"output\":$job}" >&3`
	// Not the contract's input: a worker sees the input as submitted.
	s, id, out := run(t, shell(script), `{"anything": [1, 2]}`)
	if out["status"] != runpod.StateCompleted {
		t.Fatalf("status %v", out)
	}
	echoed, _ := json.Marshal(out["output"])
	if want := `{"id":"` + id + `","input":{"anything":[1,2]}}`; string(echoed) != want {
		t.Errorf("output %s, want %s", echoed, want)
	}
	updates := s.Updates(id)
	if len(updates) != 2 || string(updates[0]) != `{"stage":"downloading","pct":0}` || string(updates[1]) != `"any JSON"` {
		t.Errorf("updates %q", updates)
	}
}

func TestProcessResultsAsRunPodReportsThem(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		script      string
		state       string
		errContains string
	}{
		"error returned": {`echo '{"error":"The audio is empty."}' >&3`, runpod.StateFailed, "The audio is empty."},
		"exception": {`echo '{"error":"{\"error_type\":\"<class '"'"'ValueError'"'"'>\",\"error_message\":\"boom\"}"}' >&3`,
			runpod.StateFailed, `"error_message":"boom"`},
		"no output": {`echo '{}' >&3`, runpod.StateCompleted, ""},
		"crash":     {`echo 'Traceback: something broke' >&2; exit 3`, runpod.StateFailed, "worker: the worker process failed (exit status 3): Traceback: something broke"},
		"no result": {`echo '{"status":"IN_PROGRESS","output":{}}' >&3`, runpod.StateFailed, "worker: the worker process sent no result"},
		"not JSON":  {`echo 'hello' >&3`, runpod.StateFailed, "worker: the worker process sent a line that is not JSON"},
		"two results": {`echo '{"output":{"stems":{}}}' >&3; echo '{"output":{"stems":{}}}' >&3`,
			runpod.StateFailed, "worker: the worker process sent a second result"},
		"not started": {"", runpod.StateFailed, "worker: "},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			worker := shell(tt.script)
			if name == "not started" {
				worker = runpodtest.Process(func(ctx context.Context) *exec.Cmd {
					return exec.CommandContext(ctx, filepath.Join(t.TempDir(), "missing"))
				})
			}
			_, _, out := run(t, worker, `{}`)
			msg, _ := out["error"].(string)
			if out["status"] != tt.state || !strings.Contains(msg, tt.errContains) || (tt.errContains == "" && msg != "") {
				t.Errorf("status %v, want %s with an error holding %q", out, tt.state, tt.errContains)
			}
		})
	}
}

func TestProcessIsKilledWhenTheJobIsCancelled(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	// exec replaces the shell, so the pid written is the sleeping process's.
	script := `echo $$ > ` + pidFile + `
echo '{"status":"IN_PROGRESS","output":{"stage":"separating","pct":50}}' >&3
exec sleep 60`
	s := runpodtest.Start(t, runpodtest.Options{Worker: shell(script)})
	auth := "Bearer " + runpodtest.DefaultAPIKey
	_, out := call(t, s, "POST", "/run", auth, `{"input":{}}`)
	id, _ := out["id"].(string)
	for deadline := time.Now().Add(10 * time.Second); len(s.Updates(id)) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the worker never reported progress")
		}
	}
	if _, out := call(t, s, "GET", "/status/"+id, auth, ""); out["status"] != runpod.StateInProgress ||
		out["output"].(map[string]any)["stage"] != "separating" {
		t.Fatalf("status while running: %v", out)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	call(t, s, "POST", "/cancel/"+id, auth, "")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		// The process is gone once reaped; a zombie would still answer.
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker process %d still runs after the cancel", pid)
		}
	}
	if state, _ := s.Job(id); state != runpod.StateCancelled {
		t.Errorf("job is %s", state)
	}
}

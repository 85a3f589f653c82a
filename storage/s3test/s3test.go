// Package s3test runs versitygw, a real S3 server over a local directory,
// for tests of the S3 backend.
package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"phonoglyph/loopback"
	"phonoglyph/storage"
)

// Credentials and bucket of every server Start runs, and how long it may
// take to accept connections.
const (
	accessKeyID     = "phonoglyph-test-access-key"
	secretAccessKey = "phonoglyph-test-secret-key"
	bucket          = "phonoglyph-test"
	startTimeout    = 15 * time.Second
)

// Start runs versitygw (posix backend, region auto) on a free 127.0.0.1
// port over a temporary directory holding one empty bucket, stops it when
// the test ends, and returns the configuration of a client for it. The
// binary is $VERSITYGW, else versitygw on PATH, else the one in
// $(go env GOPATH)/bin, else the one scripts/versitygw installs in
// ${VERSITYGW_BIN:-$HOME/.cache/phonoglyph/bin}; without any, the test
// fails.
func Start(t testing.TB) storage.S3Config {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	// The posix backend serves every directory of its root as a bucket.
	if err := os.Mkdir(filepath.Join(root, bucket), 0o700); err != nil {
		t.Fatal(err)
	}
	// The port is free when chosen but may be taken before versitygw binds
	// it: then it exits, and another port is tried.
	for attempt := 1; ; attempt++ {
		addr := loopback.Addr(t)
		err := run(t, bin, addr, root)
		if err == nil {
			return storage.S3Config{
				Endpoint:        "http://" + addr,
				Region:          "auto",
				Bucket:          bucket,
				AccessKeyID:     accessKeyID,
				SecretAccessKey: secretAccessKey,
			}
		}
		if !errors.Is(err, errExited) || attempt == 3 {
			t.Fatalf("versitygw on %s: %v", addr, err)
		}
	}
}

// errExited is the error of a server that exited before it was ready.
var errExited = errors.New("exited")

// run starts versitygw on addr, stopped when the test ends, and waits until
// it answers there.
func run(t testing.TB, bin, addr, root string) error {
	var out syncBuffer
	cmd := exec.Command(bin, "--port", addr, "--access", accessKeyID, "--secret", secretAccessKey,
		"--region", "auto", "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	if err := waitReady(addr, exited); err != nil {
		return fmt.Errorf("%w; output:\n%s", err, out.String())
	}
	return nil
}

// binary finds the versitygw executable.
func binary() (string, error) {
	if bin := os.Getenv("VERSITYGW"); bin != "" {
		return bin, nil
	}
	if bin, err := exec.LookPath("versitygw"); err == nil {
		return bin, nil
	}
	var candidates []string
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for dir := range strings.SplitSeq(strings.TrimSpace(string(gopath)), string(filepath.ListSeparator)) {
			candidates = append(candidates, filepath.Join(dir, "bin", "versitygw"))
		}
	}
	if dir := os.Getenv("VERSITYGW_BIN"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, "versitygw"))
	} else if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".cache", "phonoglyph", "bin", "versitygw"))
	}
	for _, bin := range candidates {
		if st, err := os.Stat(bin); err == nil && st.Mode().IsRegular() {
			return bin, nil
		}
	}
	return "", errors.New("versitygw not found: run scripts/versitygw")
}

// waitReady waits until versitygw answers on addr (anything else that
// listens there does not count), failing early if it exits.
func waitReady(addr string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		res, err := client.Get("http://" + addr + "/")
		if err == nil {
			res.Body.Close()
			if res.Header.Get("Server") == "VERSITYGW" {
				return nil
			}
			err = fmt.Errorf("a server other than versitygw (%q) answers", res.Header.Get("Server"))
		}
		select {
		case <-exited:
			return errExited
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return err
		}
	}
}

// syncBuffer collects the server's output from its copying goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

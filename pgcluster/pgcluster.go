// Package pgcluster runs a throwaway Postgres cluster of a test's own
// (initdb into a temp directory, pg_ctl on a free loopback port), so a test
// can stop and restart the server without touching the machine's shared
// one. It needs the server binaries under /usr/lib/postgresql (Debian
// package postgresql); without them the test fails, it is never skipped.
// As root the cluster runs as the postgres system user (initdb refuses
// root).
package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"phonoglyph/loopback"
)

// Cluster is a running private Postgres server.
type Cluster struct {
	bin  string // the server's bin directory
	dir  string // data directory, also the socket directory
	port int
	as   []string // runs a command as the postgres system user when we are root
}

// Start creates and starts a cluster (trust authentication, user postgres)
// on a free loopback port; it is stopped and removed when t ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("no Postgres server binaries under /usr/lib/postgresql (Debian package postgresql)")
	}
	slices.SortFunc(bins, func(a, b string) int { return versionOf(a) - versionOf(b) })
	c := &Cluster{bin: filepath.Dir(bins[len(bins)-1]), port: loopback.Port(t)}
	dir, err := os.MkdirTemp("", "phonoglyph-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() {
		_ = c.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres system user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.run("initdb", "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	return c
}

// URL is the connection URL of database db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Stop stops the server at once (pg_ctl stop -m immediate), dropping every
// connection; it refuses new ones until Start.
func (c *Cluster) Stop() error { return c.ctl("stop", "-m", "immediate") }

// Start starts the stopped server again, on the same port.
func (c *Cluster) Start() error { return c.ctl("start") }

// Restart stops the server at once and starts it again.
func (c *Cluster) Restart() error {
	if err := c.Stop(); err != nil {
		return err
	}
	return c.Start()
}

func (c *Cluster) ctl(action string, args ...string) error {
	// fsync off survives the restart (a stopped server, not a lost machine:
	// the kernel keeps what was written); synchronous_commit stays on, or an
	// immediate stop loses transactions already answered as committed.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off "+
		"-c full_page_writes=off", c.port, c.dir)
	argv := append([]string{"pg_ctl", "-D", c.dir, "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log"), "-o", opts, action}, args...)
	out, err := c.run(argv[0], argv[1:]...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", action, err, out)
	}
	return nil
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	argv := append(append(slices.Clone(c.as), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = "/"
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
		return out, err
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return out, fmt.Errorf("%s did not finish in 2 minutes", name)
	}
}

// versionOf reads the major version out of /usr/lib/postgresql/N/bin/initdb.
func versionOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

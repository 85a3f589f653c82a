//go:build chaos

package chaos

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
)

// postgres is a throwaway Postgres cluster of the suite's own, so that
// restarting it touches nothing else on the machine.
type postgres struct {
	bin  string // the server's bin directory
	dir  string // data directory, also the socket directory
	port int
	as   []string // runs a command as the postgres system user when we are root
}

// startPostgres creates and starts a cluster on a free loopback port; it is
// stopped and removed when the test ends.
func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("no Postgres server binaries under /usr/lib/postgresql (Debian package postgresql)")
	}
	slices.SortFunc(bins, func(a, b string) int { return versionOf(a) - versionOf(b) })
	p := &postgres{bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "phonoglyph-chaos-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() {
		_ = p.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the cluster belongs to postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres system user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := p.run("initdb", "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := p.ctl("start"); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	return p
}

// URL is the connection URL of database db.
func (p *postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// restart stops the server at once, dropping every connection, and starts
// it again.
func (p *postgres) restart() error {
	if err := p.ctl("stop", "-m", "immediate"); err != nil {
		return err
	}
	return p.ctl("start")
}

func (p *postgres) ctl(action string, args ...string) error {
	// fsync off survives the restart (a stopped server, not a lost machine:
	// the kernel keeps what was written); synchronous_commit stays on, or an
	// immediate stop loses transactions already answered as committed.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off "+
		"-c full_page_writes=off", p.port, p.dir)
	argv := append([]string{"pg_ctl", "-D", p.dir, "-w", "-t", "60", "-l", filepath.Join(p.dir, "server.log"), "-o", opts, action}, args...)
	out, err := p.run(argv[0], argv[1:]...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", action, err, out)
	}
	return nil
}

func (p *postgres) run(name string, args ...string) ([]byte, error) {
	argv := append(append(slices.Clone(p.as), filepath.Join(p.bin, name)), args...)
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

// Package loopback picks 127.0.0.1 ports for the processes a test starts
// (Postgres clusters, S3 servers, API and worker listeners), so that tests
// running side by side never share one.
package loopback

import (
	"net"
	"strconv"
	"testing"
)

// Port returns a 127.0.0.1 TCP port that nothing listened on a moment ago.
// Another process may take it before the caller binds it, which the kernel
// makes unlikely by handing out ephemeral ports in turn.
func Port(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Addr is Port as a host:port address.
func Addr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(Port(t)))
}

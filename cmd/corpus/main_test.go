package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun checks the command line: usage errors, and list on an empty root.
func TestRun(t *testing.T) {
	ctx := context.Background()
	var out, log bytes.Buffer
	dir := t.TempDir()
	for _, args := range [][]string{{}, {"list", "-dir", dir}, {"list", "-dir", dir, "nope"}, {"frob", "-dir", dir, "dev"}} {
		if err := run(ctx, &out, &log, args); err == nil {
			t.Fatalf("%q: no error", args)
		}
	}
	out.Reset()
	if err := run(ctx, &out, &log, []string{"list", "-dir", dir, "dev", "holdout"}); err != nil || out.Len() != 0 {
		t.Fatalf("list on an empty root: %v, %q", err, out.String())
	}
	if err := run(ctx, &out, &log, []string{"root", "-dir", dir}); err != nil || strings.TrimSpace(out.String()) != dir {
		t.Fatalf("root: %v, %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, &out, &log, []string{"build", "-dir", dir, "-only", "none", "dev"}); err != nil || !strings.HasSuffix(strings.TrimSpace(out.String()), "/dev") {
		t.Fatalf("build of nothing: %v, %q", err, out.String())
	}
}

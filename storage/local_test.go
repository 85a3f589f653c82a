package storage_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/storage"
	"phonoglyph/storage/blobstest"
)

var testSecret = []byte("test secret for signed blob URLs")

// newLocal returns an empty Local and its root directory.
func newLocal(t *testing.T) (*storage.Local, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "blobs")
	l, err := storage.NewLocal(root, "http://localhost/blobs", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

func TestLocalContract(t *testing.T) {
	blobstest.Run(t, func(t *testing.T) storage.Blobs {
		l, _ := newLocal(t)
		return l
	})
}

func TestNewLocalRefusesBadArguments(t *testing.T) {
	dir := t.TempDir()
	if _, err := storage.NewLocal(dir, "http://localhost/blobs", nil); err == nil {
		t.Error("empty secret accepted")
	}
	if _, err := storage.NewLocal(dir, "http://localhost/blobs?x=1", testSecret); err == nil {
		t.Error("base URL with a query accepted")
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewLocal(file, "http://localhost/blobs", testSecret); err == nil {
		t.Error("a regular file accepted as root")
	}
}

// listFiles returns the regular files under dir, relative and slash-separated.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Objects are plain files under objects/, their sidecars live in a parallel
// tree no key can reach, and Delete, DeletePrefix and failed Puts leave no
// sidecar or temporary file behind.
func TestLocalLayoutAndSidecars(t *testing.T) {
	l, root := newLocal(t)
	ctx := t.Context()
	for _, k := range []string{"a/1", "a/b/2", "c"} {
		if err := l.Put(ctx, k, bytes.NewReader([]byte(k)), int64(len(k)), "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"meta/a/1", "meta/a/b/2", "meta/c", "objects/a/1", "objects/a/b/2", "objects/c"}
	if got := listFiles(t, root); !slices.Equal(got, want) {
		t.Fatalf("files after Put: %v, want %v", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(root, "objects", "a", "b", "2")); err != nil || string(b) != "a/b/2" {
		t.Errorf("object file holds %q, %v", b, err)
	}
	for _, k := range []string{"meta/c", "objects/c", "tmp"} {
		if _, err := l.Head(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Head(%q) = %v: the layout leaks into the key space", k, err)
		}
	}
	if err := l.Put(ctx, "c", bytes.NewReader([]byte("too long")), 3, ""); err == nil {
		t.Error("Put with a wrong size succeeded")
	}
	if err := l.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeletePrefix(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got := listFiles(t, root); len(got) != 0 {
		t.Errorf("files left after deleting everything: %v", got)
	}
}

// A symbolic link inside the root cannot lead reads or writes outside it.
func TestLocalStaysUnderRoot(t *testing.T) {
	l, root := newLocal(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "objects", "link")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	ctx := t.Context()
	if b, err := l.ReadHead(ctx, "link/secret", 100); err == nil {
		t.Errorf("read %q through a symlink out of the root", b)
	}
	_ = l.Put(ctx, "link/planted", bytes.NewReader([]byte("x")), 1, "")
	if _, err := os.Stat(filepath.Join(outside, "planted")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put wrote through a symlink out of the root: %v", err)
	}
}

func TestLocalRefusesFileNamesTooLong(t *testing.T) {
	l, _ := newLocal(t)
	key := "audio/u/" + strings.Repeat("n", 256)
	if err := l.Put(t.Context(), key, strings.NewReader("x"), 1, ""); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("Put with a 256-byte segment: %v, want EINVALID", err)
	}
	if _, err := l.SignPut(t.Context(), key, "audio/wav", 1, time.Hour); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("SignPut with a 256-byte segment: %v, want EINVALID", err)
	}
	if err := l.Put(t.Context(), key[:len(key)-1], strings.NewReader("x"), 1, ""); err != nil {
		t.Errorf("Put with a 255-byte segment: %v", err)
	}
}

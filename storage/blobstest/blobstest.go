// Package blobstest is the contract every storage.Blobs backend must meet,
// as a test suite each backend's tests run.
package blobstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"phonoglyph"
	"phonoglyph/storage"
)

// Run exercises the Blobs contract on stores made by newBlobs, which is
// called once per subtest and must return an empty store.
func Run(t *testing.T, newBlobs func(t *testing.T) storage.Blobs) {
	tests := []struct {
		name string
		fn   func(*testing.T, storage.Blobs)
	}{
		{"PutOpenHead", testPutOpenHead},
		{"Overwrite", testOverwrite},
		{"UnknownSize", testUnknownSize},
		{"SizeMismatch", testSizeMismatch},
		{"ReadHead", testReadHead},
		{"Missing", testMissing},
		{"Copy", testCopy},
		{"Delete", testDelete},
		{"DeletePrefix", testDeletePrefix},
		{"InvalidKeys", testInvalidKeys},
		{"Sign", testSign},
		{"ConcurrentPutOpen", testConcurrentPutOpen},
		{"ListOlder", testListOlder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newBlobs(t)) })
	}
}

// put stores data under key or fails the test.
func put(t *testing.T, b storage.Blobs, key string, data []byte, contentType string) {
	t.Helper()
	if err := b.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// read returns the whole object under key or fails the test.
func read(t *testing.T, b storage.Blobs, key string) ([]byte, storage.Info) {
	t.Helper()
	rc, info, err := b.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data, info
}

// exists reports whether key has an object, failing the test on errors other
// than ErrNotFound.
func exists(t *testing.T, b storage.Blobs, key string) bool {
	t.Helper()
	_, err := b.Head(t.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return false
	} else if err != nil {
		t.Fatalf("Head(%q): %v", key, err)
	}
	return true
}

func testPutOpenHead(t *testing.T, b storage.Blobs) {
	data := bytes.Repeat([]byte("RIFF0123WAVE"), 1000)
	for _, key := range []string{"audio/u1/1700000000000_song.wav", "odd names/a b+c%20ü?#&.wav"} {
		start := time.Now().Add(-time.Minute)
		put(t, b, key, data, "audio/wav")
		got, info := read(t, b, key)
		if !bytes.Equal(got, data) {
			t.Errorf("Open(%q) read %d bytes, want the %d stored", key, len(got), len(data))
		}
		want := storage.Info{Key: key, Size: int64(len(data)), ContentType: "audio/wav"}
		if info.Key != want.Key || info.Size != want.Size || info.ContentType != want.ContentType || info.ModTime.Before(start) {
			t.Errorf("Open(%q) info = %+v, want %+v and a current ModTime", key, info, want)
		}
		head, err := b.Head(t.Context(), key)
		if err != nil || head != info {
			t.Errorf("Head(%q) = %+v, %v; want %+v", key, head, err, info)
		}
	}
	put(t, b, "untyped", []byte("x"), "")
	if _, info := read(t, b, "untyped"); info.ContentType != "application/octet-stream" {
		t.Errorf("empty content type stored as %q, want application/octet-stream", info.ContentType)
	}
}

func testOverwrite(t *testing.T, b storage.Blobs) {
	put(t, b, "k", []byte("first version"), "text/plain")
	put(t, b, "k", []byte("second"), "application/json")
	got, info := read(t, b, "k")
	if string(got) != "second" || info.Size != 6 || info.ContentType != "application/json" {
		t.Errorf("after overwrite: %q %+v", got, info)
	}
}

func testUnknownSize(t *testing.T, b storage.Blobs) {
	data := strings.Repeat("z", 70000)
	if err := b.Put(t.Context(), "k", io.MultiReader(strings.NewReader(data)), -1, "text/plain"); err != nil {
		t.Fatalf("Put with unknown size: %v", err)
	}
	if got, info := read(t, b, "k"); string(got) != data || info.Size != int64(len(data)) {
		t.Errorf("read %d bytes (info %d), want %d", len(got), info.Size, len(data))
	}
}

func testSizeMismatch(t *testing.T, b storage.Blobs) {
	for _, declared := range []int64{5, 15} {
		err := b.Put(t.Context(), "k", strings.NewReader("ten bytes!"), declared, "text/plain")
		if err == nil {
			t.Errorf("Put of 10 bytes declared as %d succeeded", declared)
		}
		if exists(t, b, "k") {
			t.Errorf("Put of 10 bytes declared as %d stored an object", declared)
		}
	}
}

func testReadHead(t *testing.T, b storage.Blobs) {
	put(t, b, "k", []byte("0123456789"), "")
	for n, want := range map[int]string{0: "", 4: "0123", 10: "0123456789", 1 << 20: "0123456789"} {
		got, err := b.ReadHead(t.Context(), "k", n)
		if err != nil || string(got) != want {
			t.Errorf("ReadHead(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
}

func testMissing(t *testing.T, b storage.Blobs) {
	put(t, b, "dir/present", []byte("x"), "")
	for _, key := range []string{"absent", "dir/absent", "dir", "dir/present/below"} {
		if _, _, err := b.Open(t.Context(), key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Open(%q) error %v, want ErrNotFound", key, err)
		}
		if _, err := b.Head(t.Context(), key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Head(%q) error %v, want ErrNotFound", key, err)
		}
		if _, err := b.ReadHead(t.Context(), key, 4); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("ReadHead(%q) error %v, want ErrNotFound", key, err)
		}
	}
}

func testDelete(t *testing.T, b storage.Blobs) {
	put(t, b, "a/k", []byte("x"), "")
	put(t, b, "a/other", []byte("y"), "")
	for range 2 {
		if err := b.Delete(t.Context(), "a/k"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if err := b.Delete(t.Context(), "never/stored"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if err := b.Delete(t.Context(), "a"); err != nil {
		t.Errorf("Delete of a key prefix that is no object: %v", err)
	}
	if exists(t, b, "a/k") || !exists(t, b, "a/other") {
		t.Error("Delete removed the wrong objects")
	}
	put(t, b, "a/k", []byte("again"), "")
	if got, _ := read(t, b, "a/k"); string(got) != "again" {
		t.Errorf("Put after Delete reads %q", got)
	}
}

func testDeletePrefix(t *testing.T, b storage.Blobs) {
	gone := []string{"p/x/1", "p/x/y/2"}
	kept := []string{"p/xy", "p/x.txt", "q/x/1", "x/1"}
	for _, k := range append(gone, kept...) {
		put(t, b, k, []byte(k), "text/plain")
	}
	if err := b.DeletePrefix(t.Context(), "p/x"); err != nil {
		t.Fatalf("DeletePrefix: %v", err)
	}
	for _, k := range gone {
		if exists(t, b, k) {
			t.Errorf("%s survived DeletePrefix(p/x)", k)
		}
	}
	for _, k := range kept {
		if got, _ := read(t, b, k); string(got) != k {
			t.Errorf("%s reads %q after DeletePrefix(p/x)", k, got)
		}
	}
	for _, p := range []string{"p/x", "p/x/", "nothing/here", "p/xy"} {
		if err := b.DeletePrefix(t.Context(), p); err != nil {
			t.Errorf("DeletePrefix(%q) of no objects: %v", p, err)
		}
	}
	if !exists(t, b, "p/xy") {
		t.Error("DeletePrefix(p/xy) removed the object p/xy, which is not under p/xy/")
	}
	put(t, b, "p/x/1", []byte("new"), "")
	if got, _ := read(t, b, "p/x/1"); string(got) != "new" {
		t.Errorf("Put after DeletePrefix reads %q", got)
	}
}

func testInvalidKeys(t *testing.T, b storage.Blobs) {
	invalid := func(what string, err error) {
		t.Helper()
		if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("%s: error %v, want an EINVALID application error", what, err)
		}
	}
	ctx := t.Context()
	// Keys up to 1024 bytes are valid, in segments short enough for any file
	// system.
	longest := strings.Repeat(strings.Repeat("k", 99)+"/", 10) + strings.Repeat("k", 24)
	for _, key := range []string{"", "../x", "a/../../b", "a/..", "/abs", "a//b", "a/./b", "a/", `a\b`, "a\x00b", longest + "k"} {
		invalid("Put "+key, b.Put(ctx, key, strings.NewReader("x"), 1, ""))
		_, _, err := b.Open(ctx, key)
		invalid("Open "+key, err)
		_, err = b.Head(ctx, key)
		invalid("Head "+key, err)
		_, err = b.ReadHead(ctx, key, 1)
		invalid("ReadHead "+key, err)
		invalid("Delete "+key, b.Delete(ctx, key))
		_, err = b.SignPut(ctx, key, "text/plain", 1, time.Minute)
		invalid("SignPut "+key, err)
		_, err = b.SignGet(ctx, key, "x", time.Minute)
		invalid("SignGet "+key, err)
		if key != "a/" {
			invalid("DeletePrefix "+key, b.DeletePrefix(ctx, key))
		}
	}
	put(t, b, longest, []byte("x"), "")
}

func testSign(t *testing.T, b storage.Blobs) {
	ctx := t.Context()
	before := time.Now()
	up, err := b.SignPut(ctx, "audio/u/k.wav", "audio/wav", 100, time.Hour)
	if err != nil {
		t.Fatalf("SignPut: %v", err)
	}
	if up.URL == "" || up.Method != "PUT" || up.Headers["Content-Type"] != "audio/wav" ||
		up.Expires.Before(before.Add(time.Hour-time.Second)) || up.Expires.After(time.Now().Add(time.Hour)) {
		t.Errorf("SignPut = %+v", up)
	}
	get, err := b.SignGet(ctx, "audio/u/k.wav", "k.wav", time.Minute)
	if err != nil {
		t.Fatalf("SignGet: %v", err)
	}
	if get.URL == "" || get.Method != "GET" || get.Expires.After(time.Now().Add(time.Minute)) {
		t.Errorf("SignGet = %+v", get)
	}
	for _, ttl := range []time.Duration{0, -time.Second} {
		_, err := b.SignGet(ctx, "k", "", ttl)
		if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("SignGet with ttl %s: %v, want EINVALID", ttl, err)
		}
	}
}

// testConcurrentPutOpen overwrites one key with two contents of different
// lengths while readers check that every read is one of them, whole.
func testConcurrentPutOpen(t *testing.T, b storage.Blobs) {
	versions := [][]byte{bytes.Repeat([]byte{'a'}, 64<<10), bytes.Repeat([]byte{'b'}, 192<<10)}
	put(t, b, "hot", versions[0], "")
	ctx, cancel := context.WithCancel(t.Context())
	var writers, readers sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				v := versions[(i+w)%2]
				if err := b.Put(ctx, "hot", bytes.NewReader(v), int64(len(v)), ""); err != nil && ctx.Err() == nil {
					t.Errorf("Put: %v", err)
				}
			}
		})
	}
	for range 4 {
		readers.Go(func() {
			for range 50 {
				rc, info, err := b.Open(ctx, "hot")
				if err != nil {
					t.Errorf("Open: %v", err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				if int64(len(got)) != info.Size || !(bytes.Equal(got, versions[0]) || bytes.Equal(got, versions[1])) {
					t.Errorf("read a partial or mixed object: %d bytes (info says %d)", len(got), info.Size)
					return
				}
			}
		})
	}
	readers.Wait()
	cancel()
	writers.Wait()
}

// testListOlder checks storage.Lister on the backends that implement it:
// objects written before the cutoff are listed under their prefix, later
// ones are not.
func testListOlder(t *testing.T, b storage.Blobs) {
	l, ok := b.(storage.Lister)
	if !ok {
		t.Skip("not a storage.Lister")
	}
	data := map[string]string{"up/a/1": "one", "up/a/b/2": "two!", "up/ab": "x", "up.txt": "y", "other/1": "z"}
	for k, v := range data {
		put(t, b, k, []byte(v), "text/plain")
	}
	// Modification times may be whole seconds: write the new object in the
	// second after the cutoff.
	cutoff := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(cutoff) + 10*time.Millisecond)
	data["up/a/new"] = "new!!"
	put(t, b, "up/a/new", []byte(data["up/a/new"]), "text/plain")

	list := func(prefix string, before time.Time) map[string]storage.Info {
		t.Helper()
		got := map[string]storage.Info{}
		err := l.ListOlder(t.Context(), prefix, before, func(info storage.Info) error {
			if _, dup := got[info.Key]; dup {
				t.Errorf("ListOlder(%q) listed %s twice", prefix, info.Key)
			}
			got[info.Key] = info
			return nil
		})
		if err != nil {
			t.Fatalf("ListOlder(%q): %v", prefix, err)
		}
		return got
	}
	for _, tc := range []struct {
		prefix string
		before time.Time
		want   []string
	}{
		{"up/a", cutoff, []string{"up/a/1", "up/a/b/2"}},
		{"up/a/", cutoff, []string{"up/a/1", "up/a/b/2"}},
		{"up/a", cutoff.Add(time.Hour), []string{"up/a/1", "up/a/b/2", "up/a/new"}},
		{"up", cutoff, []string{"up/a/1", "up/a/b/2", "up/ab"}},
		{"", cutoff, []string{"other/1", "up.txt", "up/a/1", "up/a/b/2", "up/ab"}},
		{"up/a", cutoff.Add(-time.Hour), nil},
		{"up/a/1", cutoff, nil},
		{"absent", cutoff, nil},
	} {
		got := list(tc.prefix, tc.before)
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tc.want) {
			t.Errorf("ListOlder(%q, cutoff + %v) = %v, want %v", tc.prefix, tc.before.Sub(cutoff), keys, tc.want)
		}
		for k, info := range got {
			if info.Size != int64(len(data[k])) || !info.ModTime.Before(tc.before) || info.ModTime.Before(cutoff.Add(-time.Hour)) {
				t.Errorf("ListOlder(%q) listed %+v, want size %d and a recent ModTime", tc.prefix, info, len(data[k]))
			}
		}
	}

	stop := errors.New("stop")
	calls := 0
	err := l.ListOlder(t.Context(), "", cutoff, func(storage.Info) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("ListOlder with a failing fn: %v after %d calls, want its error after 1", err, calls)
	}
	err = l.ListOlder(t.Context(), "../x", cutoff, func(storage.Info) error { return nil })
	if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("ListOlder(../x): %v, want EINVALID", err)
	}
}

func testCopy(t *testing.T, b storage.Blobs) {
	data := bytes.Repeat([]byte("RIFF0123WAVE"), 5000)
	put(t, b, "audio/u/1_a b.wav", data, "audio/wav")
	if err := b.Copy(t.Context(), "audio/u/1_a b.wav", "audio/u/sealed/1_a b.wav/x.wav"); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	put(t, b, "audio/u/1_a b.wav", []byte("<html>"), "text/html") // the source changes after the copy
	got, info := read(t, b, "audio/u/sealed/1_a b.wav/x.wav")
	if !bytes.Equal(got, data) || info.ContentType != "audio/wav" {
		t.Errorf("copy holds %d bytes of %s, want the %d audio/wav bytes copied", len(got), info.ContentType, len(data))
	}
	if err := b.Copy(t.Context(), "missing", "dst"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Copy of a missing key: %v, want ErrNotFound", err)
	}
	if err := b.Copy(t.Context(), "audio/u/1_a b.wav", "../escape"); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
		t.Errorf("Copy to an invalid key: %v, want EINVALID", err)
	}
}

package storage

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"phonoglyph"
)

// Layout under the root directory: object bytes under objects/<key>, their
// metadata sidecars under meta/<key> (a parallel tree, so no key can name a
// sidecar) and files being written or deleted under tmp/.
const (
	objectsDir = "objects"
	metaDir    = "meta"
	tmpDir     = "tmp"
	dirPerm    = 0o700
	filePerm   = 0o600
	maxNameLen = 255 // the longest file name (key segment) common file systems allow
)

// Local stores objects as files under a root directory and signs URLs served
// by its own Handler, so clients follow the same flow as with presigned S3
// URLs.
//
// Writes are atomic per file: the bytes and the sidecar are each written to
// tmp/ and renamed into place (sidecar first), so a reader never sees part of
// an object and several processes may share one root. The two renames are
// not one step: a read racing an overwrite that changes the content type may
// pair the old bytes with the new type.
type Local struct {
	root    *os.Root // confines every file operation to the root directory
	baseURL string
	secret  []byte
	now     func() time.Time
	closed  func(ctx context.Context, key string) (bool, error) // see RefuseWrites
}

var _ Blobs = (*Local)(nil)

// NewLocal creates root if needed. baseURL is the public URL prefix where
// Handler is mounted (e.g. "http://localhost:3001/blobs"); secret signs URLs
// (HMAC-SHA256, with a domain-separation label).
func NewLocal(root, baseURL string, secret []byte) (*Local, error) {
	if len(secret) == 0 {
		return nil, errors.New("storage: empty URL signing secret")
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("storage: base URL: %w", err)
	} else if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("storage: base URL %q has a query or fragment", baseURL)
	}
	if err := os.MkdirAll(root, dirPerm); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	for _, d := range []string{objectsDir, metaDir, tmpDir} {
		if err := r.MkdirAll(d, dirPerm); err != nil {
			r.Close()
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	return &Local{root: r, baseURL: strings.TrimSuffix(baseURL, "/"), secret: secret, now: time.Now}, nil
}

// checkLocalKey is checkKey plus the file system's limit on name length.
func checkLocalKey(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if len(seg) > maxNameLen {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key %q has a segment longer than %d bytes.", key, maxNameLen)
		}
	}
	return nil
}

// meta is the JSON sidecar of an object.
type meta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"` // hex MD5 of the bytes, as S3 reports for a single PUT
}

// Put stores the object read from r; see Blobs.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := l.put(ctx, key, r, size, contentType)
	return err
}

// put stores an object and returns its ETag.
func (l *Local) put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (string, error) {
	if err := checkLocalKey(key); err != nil {
		return "", err
	}
	contentType, err := checkContentType(contentType)
	if err != nil {
		return "", err
	}
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = io.LimitReader(src, size+1)
	}
	sum := md5.New()
	data, n, err := l.writeTemp(io.TeeReader(src, sum))
	if err != nil {
		return "", fail("put", key, err)
	}
	defer l.root.Remove(data) // fails harmlessly once renamed
	if size >= 0 && n != size {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "Object %s has %d bytes, not the declared %d.", key, n, size)
	}
	m := meta{ContentType: contentType, ETag: hex.EncodeToString(sum.Sum(nil))}
	b, _ := json.Marshal(m) // cannot fail: two strings
	side, _, err := l.writeTemp(bytes.NewReader(b))
	if err != nil {
		return "", fail("put", key, err)
	}
	defer l.root.Remove(side)
	if err := l.place(key, side, data); err != nil {
		return "", err
	}
	return m.ETag, nil
}

// place renames a finished sidecar and data file from tmp/ into key's
// place, sidecar first.
func (l *Local) place(key, side, data string) error {
	for _, mv := range [][2]string{{side, path.Join(metaDir, key)}, {data, path.Join(objectsDir, key)}} {
		if err := l.root.MkdirAll(path.Dir(mv[1]), dirPerm); err != nil {
			return fail("put", key, err)
		}
		if err := l.root.Rename(mv[0], mv[1]); err != nil {
			return fail("put", key, err)
		}
	}
	return nil
}

// writeTemp copies r into a new, synced file under tmp/ and returns its name
// and length. The file is removed on error.
func (l *Local) writeTemp(r io.Reader) (name string, n int64, err error) {
	name = path.Join(tmpDir, rand.Text())
	f, err := l.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return "", 0, err
	}
	n, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		l.root.Remove(name)
		return "", 0, err
	}
	return name, n, nil
}

// Open streams the object from its file; see Blobs.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	f, info, _, err := l.open(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	return f, info, nil
}

// Head describes the object; see Blobs.
func (l *Local) Head(ctx context.Context, key string) (Info, error) {
	f, info, _, err := l.open(ctx, key)
	if err != nil {
		return Info{}, err
	}
	f.Close()
	return info, nil
}

// ReadHead returns the first n bytes of the object; see Blobs.
func (l *Local) ReadHead(ctx context.Context, key string, n int) ([]byte, error) {
	if n < 0 {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Cannot read %d bytes.", n)
	}
	f, _, _, err := l.open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(n)))
	if err != nil {
		return nil, fail("read", key, err)
	}
	return b, nil
}

// open opens the object's file and reads its sidecar. A missing key, or one
// that names a directory, is ErrNotFound.
func (l *Local) open(ctx context.Context, key string) (*os.File, Info, meta, error) {
	if err := checkLocalKey(key); err != nil {
		return nil, Info{}, meta{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, meta{}, err
	}
	f, err := l.root.Open(path.Join(objectsDir, key))
	if err != nil {
		return nil, Info{}, meta{}, openError(key, err)
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	var m meta
	if err == nil {
		m, err = l.readMeta(key)
	}
	if err != nil {
		f.Close()
		return nil, Info{}, meta{}, openError(key, err)
	}
	return f, Info{Key: key, Size: st.Size(), ContentType: m.ContentType, ModTime: st.ModTime()}, m, nil
}

// readMeta reads an object's sidecar; a missing one (an object written by
// hand) describes application/octet-stream bytes.
func (l *Local) readMeta(key string) (meta, error) {
	b, err := l.root.ReadFile(path.Join(metaDir, key))
	if isNotExist(err) {
		return meta{ContentType: defaultContentType}, nil
	} else if err != nil {
		return meta{}, err
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil {
		return meta{}, fmt.Errorf("sidecar: %w", err)
	}
	return m, nil
}

// Delete removes the object and its sidecar; see Blobs.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := checkLocalKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, name := range []string{path.Join(objectsDir, key), path.Join(metaDir, key)} {
		if err := l.removeFile(name); err != nil {
			return fail("delete", key, err)
		}
	}
	return nil
}

// removeFile removes a regular file; a missing file or a directory (a key
// prefix, not a key) is left alone.
func (l *Local) removeFile(name string) error {
	st, err := l.root.Lstat(name)
	if isNotExist(err) || (err == nil && st.IsDir()) {
		return nil
	} else if err != nil {
		return err
	}
	if err := l.root.Remove(name); err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

// DeletePrefix removes every object under prefix/ and their sidecars; see
// Blobs. Each tree is first moved into tmp/ in one rename, so readers never
// see it half deleted and objects put afterwards survive.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	prefix = strings.TrimSuffix(prefix, "/")
	if err := checkLocalKey(prefix); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, dir := range []string{path.Join(objectsDir, prefix), path.Join(metaDir, prefix)} {
		st, err := l.root.Lstat(dir)
		if isNotExist(err) || (err == nil && !st.IsDir()) {
			continue
		} else if err != nil {
			return fail("delete prefix", prefix, err)
		}
		trash := path.Join(tmpDir, rand.Text())
		if err := l.root.Rename(dir, trash); isNotExist(err) {
			continue
		} else if err != nil {
			return fail("delete prefix", prefix, err)
		}
		if err := l.root.RemoveAll(trash); err != nil {
			return fail("delete prefix", prefix, err)
		}
	}
	return nil
}

// fail wraps a file-system error of op on key.
func fail(op, key string, err error) error {
	return fmt.Errorf("storage: %s %s: %w", op, key, err)
}

// openError is fail for reads, where a missing file is ErrNotFound.
func openError(key string, err error) error {
	if isNotExist(err) {
		return fmt.Errorf("storage: %s: %w", key, ErrNotFound)
	}
	return fail("open", key, err)
}

// isNotExist reports a missing file, including a path through a file where
// a directory was expected (key "a/b" when "a" is an object).
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// ctxReader stops reading once its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

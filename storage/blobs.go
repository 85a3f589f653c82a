// Package storage is the blob store: the bytes of files (uploads, stems,
// analysis documents, thumbnails, videos) behind one interface every other
// package uses, with an S3/R2 backend and a local-directory backend whose
// signed URLs are served by its own HTTP handler, so clients follow the same
// flow as with presigned S3 URLs. It holds objects, never rows: the rows
// that describe them live in package store (the database). Where each
// object's key lies is package objectkey's.
package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned (wrapped) when a key has no object.
var ErrNotFound = errors.New("object not found")

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64     // bytes
	ContentType string    // as given to Put or the signed upload
	ModTime     time.Time // when the object was last written
}

// SignedURL is a time-limited URL a client uses without other credentials.
type SignedURL struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"` // headers the client must send (e.g. Content-Type for PUT)
	Expires time.Time         `json:"expires_at"`
}

// Blobs is the blob store every other package uses. Keys are slash-separated
// relative paths ("audio/<user>/<ms>_name.wav"); an invalid key is an
// EINVALID application error.
type Blobs interface {
	// Put stores the object read from r, replacing any object under key.
	// size is the exact number of bytes r yields, or -1 when unknown; an
	// empty contentType means application/octet-stream. Readers see either
	// the old object or the whole new one.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open streams the object; the caller closes the reader.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Head describes the object without reading it.
	Head(ctx context.Context, key string) (Info, error)
	// ReadHead returns the first n bytes of the object, fewer when it is
	// shorter.
	ReadHead(ctx context.Context, key string, n int) ([]byte, error)
	// Copy stores a copy of the object under src at dst (bytes and content
	// type), replacing any object there. The copy is one consistent version
	// of src even while src is being overwritten: what a completed upload
	// is sealed with (see objectkey.Sealed).
	Copy(ctx context.Context, src, dst string) error
	// Delete removes the object; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object whose key starts with prefix + "/".
	DeletePrefix(ctx context.Context, prefix string) error
	// SignPut returns a URL that uploads size bytes to key, sent with exactly
	// the given content type, until ttl has passed (S3 signs the exact length,
	// the local backend refuses more). A negative size leaves the length open:
	// for trusted uploaders, such as a GPU worker writing stems, whose output
	// size is not known in advance.
	SignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (SignedURL, error)
	// SignGet returns a URL that downloads key until ttl has passed; a
	// non-empty downloadName becomes the attachment's file name.
	SignGet(ctx context.Context, key, downloadName string, ttl time.Duration) (SignedURL, error)
}

// Lister is implemented by the backends that can enumerate their objects,
// which the sweeper of abandoned uploads needs.
type Lister interface {
	// ListOlder calls fn with every object under prefix + "/" (every object
	// when prefix is empty) last modified before the given time, in no
	// particular order, and stops at the first error fn returns, returning
	// it. Info.ContentType is empty: listings do not carry it.
	ListOlder(ctx context.Context, prefix string, before time.Time, fn func(Info) error) error
}

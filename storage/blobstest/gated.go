package blobstest

import (
	"context"
	"io"
	"sync"

	"phonoglyph/storage"
)

// Gated wraps a Blobs so that every Open waits until Open is released or the
// caller's context ends: a test holds a job running (it reads its input)
// for exactly as long as it needs.
type Gated struct {
	storage.Blobs
	gate chan struct{}
	once sync.Once
}

// NewGated returns b behind a closed gate.
func NewGated(b storage.Blobs) *Gated {
	return &Gated{Blobs: b, gate: make(chan struct{})}
}

// Release opens the gate for every waiting and later Open.
func (g *Gated) Release() { g.once.Do(func() { close(g.gate) }) }

// Open waits for the gate, then opens key.
func (g *Gated) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	select {
	case <-g.gate:
		return g.Blobs.Open(ctx, key)
	case <-ctx.Done():
		return nil, storage.Info{}, ctx.Err()
	}
}

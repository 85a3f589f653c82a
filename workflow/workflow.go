// Package workflow holds the operations of the application that take
// several steps across rows, objects and jobs: completing an upload,
// duplicating a project, starting and cancelling separations and renders,
// deleting files and projects. HTTP handlers call these and only translate
// requests and answers; the steps a worker shares with them (what a new
// file needs, what deleting a row frees) are the jobs package's, so no path
// writes its own copy.
package workflow

import (
	"log/slog"

	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// Service runs the workflows over the database, the blob store and the job
// client.
type Service struct {
	store  *store.Store
	blobs  storage.Blobs
	jobs   *jobs.Client
	log    *slog.Logger
	quotas Quotas
}

// New returns the workflows over st, blobs and jc, with DefaultQuotas.
func New(st *store.Store, blobs storage.Blobs, jc *jobs.Client, log *slog.Logger) *Service {
	return &Service{store: st, blobs: blobs, jobs: jc, log: log, quotas: DefaultQuotas()}
}
